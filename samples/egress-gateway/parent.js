// Gives a tenant's dynamic worker a globalOutbound that is one of our own entrypoints: each of
// its fetch() calls arrives here, with the tenant in ctx.props, and leaves with our credential.
import { WorkerEntrypoint } from "cloudflare:workers";

// The tenant's code: it calls an API as if it had direct access, with a guessed credential.
const TENANT_CODE = `export default {
  async fetch(request, env) {
    const upstream = await fetch("https://api.example.com/v1/whoami", {
      headers: { authorization: "Bearer made-up-by-the-child" },
    });
    return Response.json({
      childSeesToken: "API_TOKEN" in env,
      upstreamStatus: upstream.status,
      upstream: await upstream.json(),
    });
  },
};
`;

const ALLOWED_HOSTS = new Set(["api.example.com"]);

export class HttpGateway extends WorkerEntrypoint {
  async fetch(request) {
    const url = new URL(request.url);
    if (!ALLOWED_HOSTS.has(url.hostname)) {
      return new Response(`egress to ${url.hostname} is not allowed\n`, { status: 403 });
    }
    const headers = new Headers(request.headers);
    // Overwritten, not appended: whatever the child sent must not reach the upstream.
    headers.set("authorization", `Bearer ${this.env.API_TOKEN}`);
    headers.set("x-tenant", this.ctx.props.tenant);
    return this.env.UPSTREAM.fetch(new Request(request, { headers }));
  }
}

export default {
  async fetch(request, env, ctx) {
    const tenant = new URL(request.url).searchParams.get("tenant") || "demo";
    if (!/^[a-z0-9-]{1,32}$/.test(tenant)) {
      return new Response("tenant must be 1-32 of [a-z0-9-]\n", { status: 400 });
    }
    const worker = env.LOADER.load({
      compatibilityDate: "2024-09-01",
      mainModule: "tenant.js",
      modules: { "tenant.js": TENANT_CODE },
      // No env: the token stays in ours, and props stay on this side of the stub.
      globalOutbound: ctx.exports.HttpGateway({ props: { tenant } }),
    });
    return worker.getEntrypoint().fetch(request.url);
  },
};
