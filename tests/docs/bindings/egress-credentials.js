// Docs: Dynamic Workers > Egress control > "Inject credentials" (docs lines 2933-3026), the whole
// module as the docs give it. getTenantFromRequest(), which the docs leave to the reader, is at
// the bottom. The worker's main module is egress-credentials-main.js, which runs this one.

// --- verbatim from the docs (Egress control, "Inject credentials") ---
import { WorkerEntrypoint } from "cloudflare:workers";

export class HttpGateway extends WorkerEntrypoint {
  async fetch(request) {
    let url = new URL(request.url);
    const headers = new Headers(request.headers);

    // For requests to api.example.com, inject credentials.
    if (url.hostname === "api.example.com") {
      headers.set("Authorization", `Bearer ${this.env.API_TOKEN}`);
      headers.set("X-Tenant-Id", this.ctx.props.tenantId);
    }

    return fetch(request, { headers });
  }
}

export default {
  async fetch(request, env, ctx) {
    const tenantId = getTenantFromRequest(request);

    const worker = env.LOADER.get(`tenant:${tenantId}`, async () => {
      return {
        mainModule: "index.js",
        modules: {
          "index.js": `
            export default {
              async fetch() {
                const resp = await fetch("https://api.example.com/data");
                return new Response(await resp.text());
              },
            };
          `,
        },
        globalOutbound: ctx.exports.HttpGateway({
          props: { tenantId },
        }),
      };
    });

    return worker.getEntrypoint().fetch(request);
  },
};

// --- end ---

// The tenant is the request's ?tenant=.
function getTenantFromRequest(request) {
  return new URL(request.url).searchParams.get("tenant");
}
