// /rpc?n=N&bytes=B: N sequential RPC calls from this worker to a warm dynamic worker, each
// carrying a B-byte ArrayBuffer (0: a small call with two numbers). The clock advances at each
// I/O event, so the elapsed time spans the calls.
const CHILD = `
  import { WorkerEntrypoint } from "cloudflare:workers";
  export class Api extends WorkerEntrypoint {
    add(a, b) { return a + b; }
    size(buffer) { return buffer.byteLength; }
  }
`;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "1000");
    const bytes = Number(url.searchParams.get("bytes") ?? "0");
    const api = env.LOADER.get("rpc-child", () => ({
      compatibilityDate: "2024-09-01",
      mainModule: "child.js",
      modules: { "child.js": CHILD },
      globalOutbound: null,
      limits: { subRequests: 100000 },
    })).getEntrypoint("Api");
    await api.add(0, 0);  // Warm: load the child before timing.
    const payload = bytes > 0 ? new ArrayBuffer(bytes) : null;
    const start = Date.now();
    for (let i = 0; i < n; i++) {
      if (payload) {
        if ((await api.size(payload)) !== bytes) throw new Error("bad size");
      } else if ((await api.add(i, 1)) !== i + 1) {
        throw new Error("bad sum");
      }
    }
    const ms = Math.max(Date.now() - start, 1);
    return Response.json({ calls: n, bytes, ms, perSecond: Math.round((n * 1000) / ms) });
  },
};
