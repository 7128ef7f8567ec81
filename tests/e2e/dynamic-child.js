// Started by rpc-test.sh through a capnp socket's Worker Loader.
import { WorkerEntrypoint } from "cloudflare:workers";

let calls = 0;

export default class extends WorkerEntrypoint {
  add(a, b) {
    return a + b + (this.env.BASE ?? 0);
  }
  whoami() {
    return this.ctx.props;
  }
  count() {
    return ++calls;
  }
  async tryFetch() {
    try {
      await fetch("http://127.0.0.1:9/");
      return "fetched";
    } catch (e) {
      return e.message;
    }
  }
  spin() {
    for (;;) {}
  }
}

export class Greeter extends WorkerEntrypoint {
  greet(name) {
    return `hello ${name}`;
  }
}
