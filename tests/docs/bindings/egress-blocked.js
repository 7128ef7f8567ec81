// Docs: Dynamic Workers > Egress control > "Block all outbound access" (docs lines 2839-2862): the
// fragment is the body of a get() callback, here in a fetch() harness; `code` is egress-child.js.
// The fragment has no compatibilityDate, which load()/get() require: docs-fixes.js fills it in
// (?raw=1 leaves it out).
import { code } from "egress-child.js";
import { withDocsFixes } from "docs-fixes.js";

export default {
  async fetch(request, env) {
    env = withDocsFixes(env, request);
    const worker = env.LOADER.get("blocked", async () => {
      // --- verbatim from the docs (Egress control, "Block all outbound access") ---
      return {
        mainModule: "index.js",
        modules: { "index.js": code },
        globalOutbound: null,
      };
      // --- end ---
    });
    return worker.getEntrypoint().fetch(request);
  },
};
