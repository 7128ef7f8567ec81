// Measurements for the safety work (tools/bench/safety-bench.sh): Durable Object writes with
// many live objects, and what dynamic workers that use CompressionStream leave behind.
import { DurableObject } from "cloudflare:workers";

export class Box extends DurableObject {
  put(n) {
    for (let i = 0; i < n; i++) this.ctx.storage.kv.put("k" + i, i);
    return n;
  }
}

const COMPRESSING = `export default {
  async fetch() {
    const stream = new Blob(["hello ".repeat(1000)]).stream().pipeThrough(new CompressionStream("gzip"));
    const bytes = await new Response(stream).arrayBuffer();
    return new Response(String(bytes.byteLength));
  },
};`;
const PLAIN = `export default { fetch() { return new Response("plain"); } };`;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? 1);
    switch (url.pathname) {
      case "/warm": {
        // Makes objects 0..n-1 live (each with one write).
        await Promise.all(Array.from({ length: n }, (_, i) => env.BOX.getByName("o" + i).put(1)));
        return new Response(`${n} live`);
      }
      case "/puts":
        return new Response(String(await env.BOX.getByName("target").put(n)));
      case "/compress":
      case "/plain": {
        const worker = env.LOADER.load({
          compatibilityDate: "2024-09-01",
          mainModule: "main.js",
          modules: { "main.js": url.pathname === "/compress" ? COMPRESSING : PLAIN },
          globalOutbound: null,
        });
        return worker.getEntrypoint().fetch("http://child/");
      }
    }
    return new Response("not found", { status: 404 });
  },
};
