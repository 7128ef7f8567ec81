// Main module of the "Intercept outbound requests" loader (egress-gateway.js, verbatim). Two
// additions: docs-fixes.js mends the docs' compatibilityDate "$today" (?raw=1 leaves it), and
// the exported HttpGateway is the docs' class with a count of the requests it got, so the tester
// can tell that the child's fetch() went through it (GET /gateway-log?tag=T reads the count
// for the requests whose URL has that ?tag=).
import docs, { HttpGateway as DocsHttpGateway } from "egress-gateway.js";
import { withDocsFixes } from "docs-fixes.js";

const log = new Map();

export class HttpGateway extends DocsHttpGateway {
  async fetch(request) {
    const tag = new URL(request.url).searchParams.get("tag");
    log.set(tag, (log.get(tag) ?? 0) + 1);
    return super.fetch(request);
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/gateway-log") return new Response(String(log.get(url.searchParams.get("tag")) ?? 0));
    return docs.fetch(request, withDocsFixes(env, request), ctx);
  },
};
