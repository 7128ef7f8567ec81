// The attacker's parent: runs untrusted children through env.LOADER (cpuMs 200, heapMb 64) the
// way the Dynamic Workers starter does, and hosts the cases that need more than one child or a
// Durable Object. Every failure comes back as a 500 whose body is `${e.name}: ${e.message}`, so
// hostile-test.sh can match the runtime's message.
import { DurableObject } from "cloudflare:workers";

const HELLO = `export default { fetch() { return new Response("hello"); } };`;

function failure(e) {
  return new Response(`${e.name}: ${e.message}`, { status: 500 });
}

// The Starter pattern: a fresh isolate per call, no network. `input` is what the child's fetch()
// receives: a URL, or the incoming Request itself to forward its body. `parentOutbound` leaves
// globalOutbound out, so that the child's fetch() reaches the parent's own outbound (for URLs
// that must get past the null outbound's refusal, such as data: URLs).
async function runChild(loader, source, input = "http://child/", parentOutbound = false) {
  try {
    const code = {
      compatibilityDate: "2024-09-01",
      mainModule: "main.js",
      modules: { "main.js": source },
    };
    if (!parentOutbound) code.globalOutbound = null;
    const worker = loader.load(code);
    return await worker.getEntrypoint().fetch(input);
  } catch (e) {
    return failure(e);
  }
}

// A child whose entrypoint calls itself through ctx.exports: each hop is a new event with a
// budget of its own, so only charging the whole chain to the first request can stop it.
const EXPORTS_SELF = `
import { WorkerEntrypoint } from "cloudflare:workers";
export class Again extends WorkerEntrypoint {
  async spin(depth) {
    for (;;) await this.ctx.exports.Again.spin(depth + 1);
  }
}
export default {
  async fetch(request, env, ctx) {
    try {
      await ctx.exports.Again.spin(0);
    } catch (e) {
      return new Response(e.message, { status: 500 });
    }
    return new Response("the loop ended");
  },
};`;

const NAMED_SPIN = `
import { WorkerEntrypoint } from "cloudflare:workers";
export class Spin extends WorkerEntrypoint {
  spin() { for (;;) {} }
  ping() { return "pong"; }
}
export default {};`;

// Children for /big-body: ignore the 100 MB body, stream it, or buffer it (past the 64 MB budget).
const BODY_READERS = {
  none: `export default { fetch() { return new Response("ignored"); } };`,
  stream: `export default {
    async fetch(request) {
      let bytes = 0;
      const reader = request.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
      }
      return new Response("read " + bytes);
    },
  };`,
  buffer: `export default {
    async fetch(request) {
      try {
        return new Response("read " + (await request.arrayBuffer()).byteLength);
      } catch (e) {
        return new Response(e.name + ": " + e.message, { status: 500 });
      }
    },
  };`,
};

// A facet from a dynamic worker, so that its SQL runs under LOADER's 200 ms CPU limit.
const SQL_FACET = `
import { DurableObject } from "cloudflare:workers";
export class Runner extends DurableObject {
  fetch(request) {
    const q = new URL(request.url).searchParams.get("q");
    try {
      return Response.json(this.ctx.storage.sql.exec(q).toArray());
    } catch (e) {
      return new Response(e.name + ": " + e.message, { status: 500 });
    }
  }
}`;

export class SqlBox extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    // Makes the internal _cf_KV table exist, so that reading it tests the authorizer.
    ctx.storage.kv.put("seed", 1);
  }

  async fetch(request) {
    const url = new URL(request.url);
    if (url.searchParams.get("facet") === "1") {
      try {
        const facet = this.ctx.facets.get("runner", () => {
          const worker = this.env.LOADER.load({
            compatibilityDate: "2024-09-01",
            mainModule: "main.js",
            modules: { "main.js": SQL_FACET },
            globalOutbound: null,
          });
          return { class: worker.getDurableObjectClass("Runner") };
        });
        return await facet.fetch(request);
      } catch (e) {
        return failure(e);
      }
    }
    try {
      return Response.json(this.ctx.storage.sql.exec(url.searchParams.get("q")).toArray());
    } catch (e) {
      return failure(e);
    }
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const params = url.searchParams;
    switch (url.pathname) {
      case "/load":
        // DEFAULT_LOADER (cpuMs 30000) is for fairness.sh's long loops.
        const loaders = { default: env.DEFAULT_LOADER, heap: env.HEAP_LOADER };
        return runChild(loaders[params.get("loader")] ?? env.LOADER,
          await request.text(), "http://child/", params.get("outbound") === "parent");

      case "/many-loads": {
        // Many isolates at once from one request: every one must start and answer.
        const n = Number(params.get("n") ?? 200);
        const results = await Promise.all(Array.from({ length: n }, async () => {
          const response = await runChild(env.LOADER, HELLO);
          return response.status === 200 && (await response.text()) === "hello";
        }));
        const ok = results.filter(Boolean).length;
        return new Response(`${ok}/${n} answered`, { status: ok === n ? 200 : 500 });
      }

      case "/sql":
        return env.SQL.getByName("box").fetch(request);

      case "/exports-self":
        return runChild(env.LOADER, EXPORTS_SELF);

      case "/big-body": {
        const source = BODY_READERS[params.get("read") ?? "none"];
        if (!source) return new Response("read must be none, stream or buffer", { status: 400 });
        // Streaming 100 MB takes about 200 ms of CPU in a fastbuild, this case's whole LOADER
        // budget; what it shows is the 64 MB heap cap, which HEAP_LOADER keeps.
        const loader = params.get("read") === "stream" ? env.HEAP_LOADER : env.LOADER;
        return runChild(loader, source, request);
      }

      case "/unread-body": {
        // The child ignores the forwarded body; a 204 must stay a 204.
        const status = Number(params.get("status") ?? 200);
        const body = status === 204 ? "null" : `"ignored"`;
        return runChild(env.LOADER,
          `export default { fetch() { return new Response(${body}, { status: ${status} }); } };`,
          request);
      }

      case "/named-spin": {
        // A call through a named entrypoint while another call to the same child is suspended
        // mid-loop: finding the entrypoint must not make the loop run to its end (30 s of
        // DEFAULT_LOADER's budget) with the thread held.
        const worker = env.DEFAULT_LOADER.load({
          compatibilityDate: "2024-09-01",
          mainModule: "main.js",
          modules: { "main.js": NAMED_SPIN },
          globalOutbound: null,
        });
        const spinning = worker.getEntrypoint("Spin").spin().catch(failure);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const pong = await worker.getEntrypoint("Spin").ping().catch(failure);
        await spinning;
        return new Response(String(pong));
      }

      case "/pollution":
        // The parent's own view after a child polluted its prototypes.
        return new Response(String({}.polluted ?? [].polluted ?? "clean"));

      default:
        return new Response("not found", { status: 404 });
    }
  },
};
