// Docs: Dynamic Workers > Egress control > "Intercept outbound requests" (docs lines 2866-2931),
// the whole module as the docs give it. `code`, which the docs leave to the reader, is
// egress-child.js. The worker's main module is egress-gateway-main.js, which runs this one.
import { code } from "egress-child.js";

// --- verbatim from the docs (Egress control, "Intercept outbound requests") ---
import { WorkerEntrypoint } from "cloudflare:workers";

export class HttpGateway extends WorkerEntrypoint {
  async fetch(request) {
    // Every outbound fetch() from the dynamic Worker arrives here.
    // Inspect, modify, block, or forward the request.
    return fetch(request);
  }
}

export default {
  async fetch(request, env, ctx) {
    const worker = env.LOADER.get("my-worker", async () => {
      return {
        compatibilityDate: "$today",
        mainModule: "index.js",
        modules: { "index.js": code },

        // Pass the gateway as a service binding.
        // The dynamic Worker's fetch() and connect() calls
        // are routed through HttpGateway instead of going
        // to the network directly.
        globalOutbound: ctx.exports.HttpGateway(),
      };
    });

    return worker.getEntrypoint().fetch(request);
  },
};
// --- end ---
