// Docs: Dynamic Workers > Getting started > "Run a Dynamic Worker" (JavaScript tab), verbatim.

export default {
  async fetch(request, env) {
    // Load a worker.
    const worker = env.LOADER.load({
      compatibilityDate: "2026-05-08",

      mainModule: "src/index.js",
      modules: {
        "src/index.js": `
          export default {
            fetch(request) {
              return new Response("Hello from a dynamic Worker");
            },
          };
        `,
      },

      // Block all outbound network access from the Dynamic Worker.
      globalOutbound: null,
    });

    // Get the Dynamic Worker's `export default` entrypoint.
    // (A Worker can also export separate, named entrypoints.)
    let entrypoint = worker.getEntrypoint();

    // Forward the HTTP request to it.
    return entrypoint.fetch(request);
  },
};
