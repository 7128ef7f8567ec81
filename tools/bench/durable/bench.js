// Durable Object benchmark (tools/bench/do-bench.sh):
//   /do      a plain Durable Object counter: one SQLite write and read per request
//   /facet   the same counter in a facet of a supervisor, running a dynamic worker's class
//   /burst?n=N  N writes inside one request, for SQLite writes per second
import { DurableObject } from "cloudflare:workers";

const COUNTER = `
  import { DurableObject } from "cloudflare:workers";
  export class App extends DurableObject {
    constructor(ctx, env) {
      super(ctx, env);
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS c (k INTEGER PRIMARY KEY, n INTEGER)");
    }
    fetch() {
      this.ctx.storage.sql.exec("INSERT INTO c VALUES (1, 1) ON CONFLICT(k) DO UPDATE SET n = n + 1");
      return new Response(String(this.ctx.storage.sql.exec("SELECT n FROM c").one().n));
    }
  }
`;

export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS c (k INTEGER PRIMARY KEY, n INTEGER)");
  }
  fetch() {
    this.ctx.storage.sql.exec("INSERT INTO c VALUES (1, 1) ON CONFLICT(k) DO UPDATE SET n = n + 1");
    return new Response(String(this.ctx.storage.sql.exec("SELECT n FROM c").one().n));
  }
  burst(n) {
    const start = Date.now();
    for (let i = 0; i < n; i++) {
      this.ctx.storage.sql.exec("INSERT INTO c VALUES (2, 1) ON CONFLICT(k) DO UPDATE SET n = n + 1");
    }
    return n;
  }
}

export class Supervisor extends DurableObject {
  fetch(request) {
    const facet = this.ctx.facets.get("app", () => ({
      class: this.env.LOADER.get("counter-app", () => ({
        compatibilityDate: "2024-09-01",
        mainModule: "app.js",
        modules: { "app.js": COUNTER },
        globalOutbound: null,
      })).getDurableObjectClass("App"),
    }));
    return facet.fetch(request);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/do") return env.COUNTER.getByName("bench").fetch(request);
    if (url.pathname === "/facet") return env.SUPERVISOR.getByName("bench").fetch(request);
    if (url.pathname === "/burst") {
      const n = Number(url.searchParams.get("n") ?? "10000");
      const stub = env.COUNTER.getByName("burst");
      await stub.burst(1);
      const start = Date.now();
      await stub.burst(n);
      const ms = Math.max(Date.now() - start, 1);
      return Response.json({ writes: n, ms, perSecond: Math.round((n * 1000) / ms) });
    }
    return new Response("not found", { status: 404 });
  },
};
