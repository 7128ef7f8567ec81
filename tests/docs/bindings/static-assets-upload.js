// Docs: Dynamic Workers > Static assets > "Store the static assets" (docs lines 3337-3399): the
// upload fragments in a fetch() harness. POST http://PROJECT.example/ stores the three files the
// docs name (their contents are the harness's) and the manifest. KV_ASSETS is the KV stand-in.
import { buildAssetManifest } from "@cloudflare/worker-bundler";

const htmlContent = "<!doctype html><title>docs</title><h1>Hello from static assets</h1>";
const jsContent = "console.log('app');";
const cssContent = "h1 { color: orange; }";

export default {
  async fetch(request, env) {
    const projectId = new URL(request.url).hostname.split(".")[0];
    const files = { "/index.html": htmlContent, "/app.js": jsContent, "/style.css": cssContent };
    for (const [pathname, fileContent] of Object.entries(files)) {
      // --- verbatim from the docs (Static assets, "store each file in KV under its pathname") ---
      await env.KV_ASSETS.put(`project/${projectId}/assets${pathname}`, fileContent);
      // --- end ---
    }

    // --- verbatim from the docs (Static assets, "Use buildAssetManifest()") ---
    const assets = {
      "/index.html": htmlContent,
      "/app.js": jsContent,
      "/style.css": cssContent,
    };

    const manifest = await buildAssetManifest(assets);

    await env.KV_ASSETS.put(
      `project/${projectId}/manifest`,
      JSON.stringify(manifest),
    );
    // --- end ---
    return new Response("deployed");
  },
};
