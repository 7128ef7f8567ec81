// Docs: Dynamic Workers > Getting started > "Using TypeScript and npm dependencies" (JavaScript
// tab). The docs show a bare import plus `const worker = env.LOADER.get(...)`; the harness is a
// fetch handler that forwards the request.
// --- verbatim from the docs (Using TypeScript and npm dependencies) ---
import { createWorker } from "@cloudflare/worker-bundler";
// --- end ---

export default {
  async fetch(request, env) {
// --- verbatim from the docs (Using TypeScript and npm dependencies) ---
const worker = env.LOADER.get("my-worker", async () => {
  const { mainModule, modules } = await createWorker({
    files: {
      "src/index.ts": `
        import { Hono } from 'hono';
        const app = new Hono();
        app.get('/', (c) => c.text('Hello from Hono!'));
        export default app;
      `,
      "package.json": JSON.stringify({
        dependencies: { hono: "^4.0.0" },
      }),
    },
  });

  return { mainModule, modules, compatibilityDate: "2026-05-08" };
});
// --- end ---
    return worker.getEntrypoint().fetch(request);
  },
};
