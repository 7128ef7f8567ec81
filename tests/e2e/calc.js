import { WorkerEntrypoint } from "cloudflare:workers";

export class Calculator extends WorkerEntrypoint {
  add(a, b) {
    return (a + b) * this.ctx.props.scale;
  }
  async describe(name) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return { hello: name, scale: this.ctx.props.scale };
  }
  divide(a, b) {
    if (b === 0) throw new RangeError("division by zero");
    return a / b;
  }
  fetch(request) {
    return new Response(`calculator at ${new URL(request.url).pathname}`);
  }
}

export default {
  fetch() {
    return new Response("default");
  },
};
