// Docs: Dynamic Workers > Examples > Dynamic Workers Playground, "Bundling code at runtime"
// (JavaScript tab, docs lines 1097-1124), in a fetch handler that runs what it bundled. Needs the
// npm package @cloudflare/worker-bundler (and hono from the registry at run time): pending.
// --- verbatim from the docs (Dynamic Workers Playground, Bundling code at runtime) ---
import { createWorker } from "@cloudflare/worker-bundler";
// --- end ---

export default {
  async fetch(request, env) {
    const userCode = await request.text();
    // --- verbatim from the docs (Dynamic Workers Playground, Bundling code at runtime) ---
const { mainModule, modules, warnings } = await createWorker({
  files: {
    "src/index.ts": userCode,
    "package.json": JSON.stringify({
      dependencies: { hono: "^4.0.0" },
    }),
  },
  bundle: true,
  minify: false,
});
    // --- end ---
    const worker = env.LOADER.load({ mainModule, modules, compatibilityDate: "2026-05-01" });
    const response = await worker.getEntrypoint().fetch("http://bundled/");
    return new Response(response.body, {
      status: response.status,
      headers: { "x-warnings": String(warnings?.length ?? 0) },
    });
  },
};
