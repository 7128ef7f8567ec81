// Docs: Dynamic Workers > Custom limits > "Set custom limits", first example (limits in the
// worker code), in a fetch() harness. `code` is limits-child.js. The docs write "$today" for
// today's date; with FILL_TODAY the fragment gets an env.LOADER that fills it in (loader-defaults.js)
// and is otherwise the real binding; without, the real binding sees "$today".
import { code } from "limits-child.js";
import { withDocsDefaults } from "loader-defaults.js";

export default {
  async fetch(request, env) {
    if (env.FILL_TODAY) env = withDocsDefaults(env);
    // --- verbatim from the docs (Custom limits, "Custom limits can be specified as part of the worker code") ---
    const worker = env.LOADER.get("my-worker", async () => {
      return {
        compatibilityDate: "$today",
        mainModule: "index.js",
        modules: { "index.js": code },
        limits: { cpuMs: 10, subRequests: 5 },
      };
    });
    // --- end ---
    return worker.getEntrypoint().fetch(request);
  },
};
