// Docs: Dynamic Workers > Examples > Dynamic Workers Playground, "Observability with Tail Workers"
// (JavaScript tab, docs lines 1245-1261), in a fetch handler: the Worker is built (stand-in
// createWorker, playground-support.js) before get(), whose callback only assembles the WorkerCode.
import { createWorker, harnessRoute } from "playground-support.js";
export { DynamicWorkerTail, LogSession } from "playground-support.js";

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const route = await harnessRoute(url, env);
    if (route) return route;
    const workerId = url.searchParams.get("id");
    const { mainModule, modules } = await createWorker({
      files: { "src/index.js": decodeURIComponent(request.headers.get("x-source")) },
    });
    const contextExports = ctx.exports;
    // --- verbatim from the docs (Dynamic Workers Playground, Observability with Tail Workers) ---
const worker = env.LOADER.get(workerId, async () => ({
  mainModule,
  modules,
  compatibilityDate: "2026-05-01",
  tails: [contextExports.DynamicWorkerTail({ props: { workerId } })],
}));
    // --- end ---
    return worker.getEntrypoint().fetch(request);
  },
};
