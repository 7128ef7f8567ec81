// A test whose dynamic worker spins under the loader's default CPU limit (30 s): the test's
// --timeout caps every CPU budget in the process, so it ends at the timeout, not after 30 s.
export const childSpinsForever = {
  async test(ctrl, env) {
    const child = env.LOADER.load({
      compatibilityDate: "2024-09-01",
      mainModule: "main.js",
      modules: { "main.js": "export default { fetch() { for (;;) {} } };" },
    });
    await child.getEntrypoint().fetch("http://child/");
  },
};
