// Docs: Dynamic Workers > Examples > Dynamic Workers Playground, "Caching Dynamic Workers"
// (JavaScript tab, docs lines 1164-1192), in a fetch handler. createWorker is a stand-in for
// @cloudflare/worker-bundler's (playground-support.js); contextExports is ctx.exports. The
// request names the worker (?id=) and carries its source (x-source header, URI-encoded).
import { createWorker, harnessRoute } from "playground-support.js";
export { DynamicWorkerTail, LogSession } from "playground-support.js";

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const route = await harnessRoute(url, env);
    if (route) return route;
    const workerId = url.searchParams.get("id");
    const files = {
      "src/index.js": decodeURIComponent(request.headers.get("x-source")),
      "package.json": JSON.stringify({ dependencies: {} }),
    };
    const contextExports = ctx.exports;
    // --- verbatim from the docs (Dynamic Workers Playground, Caching Dynamic Workers) ---
const worker = env.LOADER.get(workerId, async () => {
  // This callback only runs on cache miss
  const { mainModule, modules } = await createWorker({ files });

  return {
    mainModule,
    modules,
    compatibilityDate: "2026-05-01",
    tails: [contextExports.DynamicWorkerTail({ props: { workerId } })],
  };
});

const response = await worker.getEntrypoint().fetch(request);
    // --- end ---
    return response;
  },
};
