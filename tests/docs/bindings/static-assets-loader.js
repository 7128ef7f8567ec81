// Docs: Dynamic Workers > Static assets (docs lines 3323-3837): the loader Worker. The AssetBinding
// class ("Define the asset binding") and the fetch() handler ("Pass the asset binding to the
// Dynamic Worker"), verbatim from the JavaScript tabs. The docs leave getProjectIdFromRequest() and
// loadServerCode() to the reader: the project is the first label of the request's hostname, and
// every project's server code is static-assets-server.js. KV_ASSETS is the KV stand-in (kv.js).
import { serverCode as SERVER_CODE } from "static-assets-server.js";

// --- verbatim from the docs (Static assets, "Define the asset binding") ---
import { WorkerEntrypoint } from "cloudflare:workers";
import { handleAssetRequest } from "@cloudflare/worker-bundler";

export class AssetBinding extends WorkerEntrypoint {
  async fetch(request) {
    const { projectId } = this.ctx.props;

    // Load the project's asset manifest from KV
    const manifest = await this.env.KV_ASSETS.get(
      `project/${projectId}/manifest`,
      { type: "json", cacheTtl: 300 },
    );

    if (!manifest) {
      return new Response("No assets found", { status: 404 });
    }

    // Storage object — handleAssetRequest calls get() to
    // read file content when it needs to serve an asset
    const storage = {
      async get(pathname) {
        return this.env.KV_ASSETS.get(
          `project/${projectId}/assets${pathname}`,
          { type: "arrayBuffer", cacheTtl: 86_400 },
        );
      },
    };

    const response = await handleAssetRequest(request, manifest, storage);
    return response ?? new Response("Not Found", { status: 404 });
  }
}
// --- end ---

// --- verbatim from the docs (Static assets, "Pass the asset binding to the Dynamic Worker") ---
export default {
  async fetch(request, env, ctx) {
    const projectId = getProjectIdFromRequest(request);

    const worker = env.LOADER.get(projectId, async () => {
      const serverCode = await loadServerCode(projectId);

      return {
        mainModule: "index.js",
        modules: {
          "index.js": { js: serverCode },
        },
        compatibilityDate: "2026-05-08",
        env: {
          ASSETS: ctx.exports.AssetBinding({
            props: { projectId },
          }),
        },
      };
    });

    return await worker.getEntrypoint().fetch(request);
  },
};
// --- end ---

function getProjectIdFromRequest(request) {
  return new URL(request.url).hostname.split(".")[0];
}

async function loadServerCode(projectId) {
  return SERVER_CODE;
}
