// Not in the docs: the Dynamic Workers Starter (starter.js) with its one defect corrected, so that
// the behaviour the docs describe can be checked. The only change is `request.clone().json()`:
// the verbatim code reads the body and then forwards the used request, which Workers refuses.
export default {
  async fetch(request, env) {
    const { code } = await request.clone().json();

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
