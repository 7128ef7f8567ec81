// Main module of the "Inject credentials" loader (egress-credentials.js, verbatim): re-exports the
// docs' HttpGateway, and runs the docs' fetch() with docs-fixes.js filling in the compatibilityDate
// the docs' WorkerCode lacks (?raw=1 leaves it out).
import docs from "egress-credentials.js";
import { withDocsFixes } from "docs-fixes.js";

export { HttpGateway } from "egress-credentials.js";

export default {
  fetch(request, env, ctx) {
    return docs.fetch(request, withDocsFixes(env, request), ctx);
  },
};
