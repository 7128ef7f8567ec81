// Docs: Dynamic Workers > API reference > WorkerCode > env, the ctx.exports example
// (JavaScript), verbatim except the marked lines standing in for "// ... code ...": a child that
// answers with env.GREETER.greet().
import { WorkerEntrypoint } from "cloudflare:workers";

// Implement a binding which can be called by the dynamic Worker.
export class Greeter extends WorkerEntrypoint {
  greet() {
    return `Hello, ${this.ctx.props.name}!`;
  }
}

export default {
  async fetch(request, env, ctx) {
    let worker = env.LOADER.get("alice", () => {
      return {
        env: {
          // Provide a binding which has a method greet() which can be called
          // to receive a greeting. The binding knows the Worker's name.
          GREETER: ctx.exports.Greeter({ props: { name: "Alice" } }),
        },

        // ... code ...
        // --- filled in by the test: the docs elide the code ---
        compatibilityDate: "2026-05-08",
        mainModule: "index.js",
        modules: { "index.js": `export default { async fetch(request, env) { return new Response(await env.GREETER.greet()); } };` },
        // --- end of fill-in ---
      };
    });

    return worker.getEntrypoint().fetch(request);
  },
};
