// Docs: Dynamic Workers > Getting started > "Python Workers" (JavaScript tab). The docs show a bare
// `const worker = env.LOADER.load(...)`; the harness is a fetch handler that forwards the request.
export default {
  async fetch(request, env) {
// --- verbatim from the docs (Python Workers) ---
const worker = env.LOADER.load({
  compatibilityDate: "2026-05-08",
  compatibilityFlags: ["python_workers"],
  mainModule: "worker.py",
  modules: {
    "worker.py": `
      from workers import Response

      def on_fetch(request):
          return Response("Hello from Python!")
    `,
  },
});
// --- end ---
    return worker.getEntrypoint().fetch(request);
  },
};
