// Docs: Dynamic Workers > Getting started > "Reusing a Dynamic Worker across requests"
// (JavaScript tab). The docs show a bare `const worker = env.LOADER.get(...)`; the harness is a
// fetch handler that forwards the request to the worker it gets. MY_CODE_STORAGE is a stand-in.
export default {
  async fetch(request, env) {
// --- verbatim from the docs (Reusing a Dynamic Worker across requests) ---
const worker = env.LOADER.get("hello-v1", async () => {
  // Callback only runs if there is not already a warm
  // instance available.

  // Load code from storage.
  let code = await env.MY_CODE_STORAGE.get("hello-v1");

  // Return the same format as `env.LOADER.load()` accepts.
  return {
    compatibilityDate: "2026-05-08",
    mainModule: "index.js",
    modules: { "index.js": code },
    globalOutbound: null,
  };
});
// --- end ---
    return worker.getEntrypoint().fetch(request);
  },
};
