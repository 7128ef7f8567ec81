// Docs: Dynamic Workers > Custom limits > "Set custom limits", second example (limits on the
// getEntrypoint() call), in a fetch() harness. The docs' `entrypoint.fetch(...)` is not valid
// JavaScript; `...` is replaced by `request`, nothing else is changed. The harness loads
// limits-child.js as `worker`, with WorkerCode limits from ?codeCpuMs= and ?codeSubRequests=.
// The fragment discards the child's response: the harness answers once the call has resolved.
import { code } from "limits-child.js";

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    const limits = {};
    if (params.has("codeCpuMs")) limits.cpuMs = Number(params.get("codeCpuMs"));
    if (params.has("codeSubRequests")) limits.subRequests = Number(params.get("codeSubRequests"));
    const worker = env.LOADER.load({
      compatibilityDate: "2026-05-08",
      mainModule: "index.js",
      modules: { "index.js": code },
      limits,
    });
    // --- verbatim from the docs (Custom limits, "as part of the getEntrypoint() call") ---
    // get the worker's default entrypoint with custom limits
    // if limits were already specified as part of the worker code, the lower of the two limits is used
    const entrypoint = worker.getEntrypoint(null, { limits: { cpuMs: 10, subRequests: 5 } });
    await entrypoint.fetch(request);
    // --- end ---
    return new Response("entrypoint.fetch() resolved");
  },
};
