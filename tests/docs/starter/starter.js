// Docs: Dynamic Workers > Examples > Dynamic Workers Starter, "Loading and executing a Dynamic
// Worker" (JavaScript tab, docs lines 1383-1422), verbatim. The host Worker behind /api/run.
export default {
  async fetch(request, env) {
    const { code } = await request.json();

    const worker = env.LOADER.load({
      compatibilityDate: "2026-05-01",
      mainModule: "worker.js",
      modules: {
        "worker.js": code,
      },
      // Block all outbound network access
      globalOutbound: null,
    });

    const result = await worker.getEntrypoint().fetch(request);
    return result;
  },
};
