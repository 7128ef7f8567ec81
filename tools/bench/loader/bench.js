// Endpoints the loader benchmark drives with wrk:
//   /static      answers directly
//   /bound       forwards to the same hello-world code as a configured worker (service binding):
//                the same two hops as /get, so the baseline a warm dynamic worker is held to
//   /load        load() a fresh hello-world worker and forward to it (a cold start per request)
//   /get         get() one warm worker and forward to it
//   /warm?n=N    get() N distinct workers once each, so that they stay idle and warm
const HELLO = `export default { fetch() { return new Response("hello"); } };`;
const code = () => ({
  compatibilityDate: "2024-09-01",
  mainModule: "main.js",
  modules: { "main.js": HELLO },
  globalOutbound: null,
});

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/static":
        return new Response("hello");
      case "/bound":
        return env.HELLO.fetch(request);
      case "/load":
        return env.LOADER.load(code()).getEntrypoint().fetch(request);
      case "/get":
        return env.LOADER.get("hello", code).getEntrypoint().fetch(request);
      case "/warm": {
        const n = Number(url.searchParams.get("n") ?? "100");
        const base = url.searchParams.get("base") ?? "w";
        for (let i = 0; i < n; i++) {
          const response = await env.LOADER.get(`${base}-${i}`, code).getEntrypoint().fetch(request);
          await response.arrayBuffer();
        }
        return new Response(`warmed ${n}`);
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
