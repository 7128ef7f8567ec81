// Docs: Dynamic Workers > API reference > WorkerCode > tails, the ctx.exports example
// (JavaScript), verbatim except the marked lines standing in for "// ... code ...": a child that
// logs its path and fails on /fail. The config points this worker's fetch() at a stand-in for
// https://example.com/submit-logs/.
import { WorkerEntrypoint } from "cloudflare:workers";

export default {
  async fetch(request, env, ctx) {
    let worker = env.LOADER.get("alice", () => {
      return {
        // Send logs, errors, etc. to `LogTailer`. We pass `name` in the
        // `ctx.props` so that `LogTailer` knows what generated the logs.
        // (You can pass anything you want in `props`.)
        tails: [ctx.exports.LogTailer({ props: { name: "alice" } })],

        // ... code ...
        // --- filled in by the test: the docs elide the code ---
        compatibilityDate: "2026-05-08",
        mainModule: "index.js",
        modules: {
          "index.js": `export default {
            fetch(request) {
              const path = new URL(request.url).pathname;
              console.log("alice got", path);
              if (path === "/fail") throw new Error("alice failed on purpose");
              return new Response("alice answered " + path);
            },
          };`,
        },
        // --- end of fill-in ---
      };
    });

    return worker.getEntrypoint().fetch(request);
  },
};

export class LogTailer extends WorkerEntrypoint {
  async tail(events) {
    let name = this.ctx.props.name;

    // Send the logs off to our log endpoint, specifying the worker name in
    // the URL.
    //
    // Note that `events` will always be an array of size 1 in this scenario,
    // describing the event delivered to the dynamically-loaded Worker.
    await fetch(`https://example.com/submit-logs/${name}`, {
      method: "POST",
      body: JSON.stringify(events),
    });
  }
}
