// Docs: Dynamic Workers > API reference > WorkerCode > globalOutbound, the ctx.exports example
// (JavaScript), verbatim except the marked lines standing in for "// ... code ...": a child whose
// fetch() goes out through its globalOutbound and returns what comes back.
import { WorkerEntrypoint } from "cloudflare:workers";

export class Greeter extends WorkerEntrypoint {
  fetch(request) {
    return new Response(`Hello, ${this.ctx.props.name}!`);
  }
}

export default {
  async fetch(request, env, ctx) {
    let worker = env.LOADER.get("alice", () => {
      return {
        // Redirect the worker's global outbound to send all requests
        // to the `Greeter` class, filling in `ctx.props.name` with
        // the name "Alice", so that it always responds "Hello, Alice!".
        globalOutbound: ctx.exports.Greeter({ props: { name: "Alice" } }),

        // ... code ...
        // --- filled in by the test: the docs elide the code ---
        compatibilityDate: "2026-05-08",
        mainModule: "index.js",
        modules: { "index.js": `export default { fetch(request) { return fetch(request); } };` },
        // --- end of fill-in ---
      };
    });

    return worker.getEntrypoint().fetch(request);
  },
};
