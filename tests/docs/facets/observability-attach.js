// Docs: Dynamic Workers > Observability > "Attach the Tail Worker to the Dynamic Worker"
// (JavaScript tab), in a fetch(request, env, ctx) harness: the loader Worker exports the docs'
// DynamicWorkerTail (dynamic-worker-tail.js, verbatim) and defines WORKER_MAIN/WORKER_SOURCE.
// The fragment's WorkerCode has no compatibilityDate; with FILL_DATE, env.LOADER fills it in.
import { captured } from "log-capture.js";
import { withDocsDefaults } from "loader-defaults.js";
export { DynamicWorkerTail } from "dynamic-worker-tail.js";

const WORKER_MAIN = "worker.js";
const WORKER_SOURCE = `
export default {
  fetch(request) {
    console.log("handling", new URL(request.url).pathname);
    console.warn({ careful: true });
    return new Response("dynamic worker says hi");
  },
};
`;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/captured") return Response.json(captured);
    const workerId = url.searchParams.get("workerId");
    if (env.FILL_DATE) env = withDocsDefaults(env);
    // --- verbatim from the docs (Observability, "Attach the Tail Worker to the Dynamic Worker") ---
    const worker = env.LOADER.get(workerId, () => ({
      mainModule: WORKER_MAIN,
      modules: {
        [WORKER_MAIN]: WORKER_SOURCE,
      },
      tails: [
        ctx.exports.DynamicWorkerTail({
          props: { workerId },
        }),
      ],
    }));

    return worker.getEntrypoint().fetch(request);
    // --- end ---
  },
};
