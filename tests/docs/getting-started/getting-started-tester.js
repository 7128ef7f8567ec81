// Tests for docs sections "Getting started" and "API reference": each docs example worker is
// reached through a service binding and must answer as the docs say. The hostile children at the
// end are the tester's own, loaded in the same patterns (ctx.exports props, env, tails,
// globalOutbound: null).
import { assert, assertEqual, assertRejects } from "assert.js";
import { WorkerEntrypoint } from "cloudflare:workers";

async function text(fetcher, url, init = undefined) {
  const response = await fetcher.fetch(url, init);
  const body = await response.text();
  return { status: response.status, body };
}

async function eventually(what, probe, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// --- Getting started: "Run a Dynamic Worker" ---

export const runDynamicWorker = {
  async test(ctrl, env) {
    assertEqual(JSON.stringify(await text(env.RUN, "http://example/")),
      JSON.stringify({ status: 200, body: "Hello from a dynamic Worker" }));
    // The request is forwarded as is; the child answers without reading the body.
    const post = await text(env.RUN, "http://example/some/path?q=1",
      { method: "POST", body: "x".repeat(100000) });
    assertEqual(JSON.stringify(post),
      JSON.stringify({ status: 200, body: "Hello from a dynamic Worker" }));
    // load() every time: concurrent requests each get a fresh worker, and all answer.
    const all = await Promise.all(Array.from({ length: 8 }, () => text(env.RUN, "http://example/")));
    for (const r of all) assertEqual(r.body, "Hello from a dynamic Worker");
  },
};

// --- Getting started: "Reusing a Dynamic Worker across requests" ---

export const reuseAcrossRequests = {
  async test(ctrl, env) {
    const first = await text(env.REUSE, "http://example/");
    assertEqual(first.status, 200, first.body);
    assertEqual(first.body, "Hello from hello-v1, request 1");
    const second = await text(env.REUSE, "http://example/again");
    assertEqual(second.body, "Hello from hello-v1, request 2", "the warm worker answers again");
    // "The callback you provide will only be called if the Worker is not already loaded."
    assertEqual(JSON.stringify(await env.STORAGE.reads()), JSON.stringify(["hello-v1"]));
    // globalOutbound: null cuts the child off from the network.
    const probe = await text(env.REUSE, "http://example/network");
    assertEqual(probe.body, "network blocked: Error");
    assertEqual(JSON.stringify(await env.STORAGE.reads()), JSON.stringify(["hello-v1"]));
  },
};

// --- API reference: WorkerCode.globalOutbound through ctx.exports.Greeter ---

export const globalOutboundGreeter = {
  async test(ctrl, env) {
    // "so that it always responds "Hello, Alice!"", whatever the child fetches.
    for (const url of ["http://example/", "https://elsewhere.example/x?y=1"]) {
      const r = await text(env.GLOBAL_OUTBOUND, url);
      assertEqual(JSON.stringify(r), JSON.stringify({ status: 200, body: "Hello, Alice!" }));
    }
  },
};

// --- API reference: WorkerCode.env with a ctx.exports.Greeter binding ---

export const envGreeter = {
  async test(ctrl, env) {
    const r = await text(env.ENV_GREETER, "http://example/");
    assertEqual(JSON.stringify(r), JSON.stringify({ status: 200, body: "Hello, Alice!" }));
  },
};

// --- API reference: WorkerCode.tails with ctx.exports.LogTailer ---

export const tailsReachLogTailer = {
  async test(ctrl, env) {
    const ok = await text(env.LOG_TAILER, "http://example/hello");
    assertEqual(JSON.stringify(ok), JSON.stringify({ status: 200, body: "alice answered /hello" }));

    // "A tail event will be delivered to the Tail Worker upon completion of a request."
    const posts = await eventually("LogTailer's POST", async () => {
      const all = await env.LOG_ENDPOINT.all();
      return all.length >= 1 && all;
    });
    assertEqual(posts.length, 1, JSON.stringify(posts));
    const post = posts[0];
    assertEqual(post.method, "POST");
    assertEqual(post.host, "example.com");
    assertEqual(post.path, "/submit-logs/alice");
    const events = JSON.parse(post.body);
    // "`events` will always be an array of size 1 in this scenario".
    assertEqual(events.length, 1, post.body);
    const [event] = events;
    assertEqual(event.outcome, "ok", post.body);
    assertEqual(event.event.request.url, "http://example/hello", post.body);
    assertEqual(JSON.stringify(event.logs.map((l) => [l.level, l.message])),
      JSON.stringify([["log", ["alice got", "/hello"]]]), post.body);
    assertEqual(event.exceptions.length, 0, post.body);

    // Errors reach the tail too.
    const failed = await env.LOG_TAILER.fetch("http://example/fail").then(
      (r) => ({ status: r.status }), (e) => ({ error: String(e) }));
    const second = await eventually("LogTailer's second POST", async () => {
      const all = await env.LOG_ENDPOINT.all();
      return all.length >= 2 && all[1];
    });
    const [failure] = JSON.parse(second.body);
    assertEqual(failure.outcome, "exception", second.body);
    assertEqual(JSON.stringify(failure.logs.map((l) => l.message)),
      JSON.stringify([["alice got", "/fail"]]), second.body);
    assertEqual(failure.exceptions.length, 1, second.body);
    assertEqual(failure.exceptions[0].name, "Error", second.body);
    assertEqual(failure.exceptions[0].message, "alice failed on purpose", second.body);
    assert(failed.error || failed.status === 500, JSON.stringify(failed));
  },
};

// --- Hostile children in the docs' patterns (the tester's own, not the docs' code) ---

// The tester's version of the docs' Greeter, both flavours: fetch() for globalOutbound, greet()
// for env.
export class Greeter extends WorkerEntrypoint {
  fetch() {
    return new Response(`Hello, ${this.ctx.props.name}!`);
  }
  greet() {
    return `Hello, ${this.ctx.props.name}!`;
  }
}

// Tail events the tester's children produce, by ctx.props.name.
const tailEvents = {};
export class Tail extends WorkerEntrypoint {
  tail(events) {
    (tailEvents[this.ctx.props.name] ??= []).push(...events);
    if (this.ctx.props.then === "throw") throw new Error("tail worker failed on purpose");
    if (this.ctx.props.then === "hang") return new Promise(() => {});
  }
}

function child(source, fields = {}) {
  return { compatibilityDate: "2026-05-08", mainModule: "index.js", modules: { "index.js": source }, ...fields };
}

// A child holding the docs' Greeter as env and as globalOutbound, looking for the props.
const PROPS_SNOOPER = `
export default {
  async fetch(request, env, ctx) {
    const attempt = async (f) => { try { return String(await f()); } catch (e) { return "threw " + e.name; } };
    return Response.json({
      ownProps: JSON.stringify(ctx.props ?? null),
      envJson: await attempt(() => JSON.stringify(env)),
      keys: await attempt(() => Object.keys(env.GREETER).join(",")),
      props: await attempt(() => env.GREETER.props),
      ctx: await attempt(() => env.GREETER.ctx),
      ctxProps: await attempt(() => env.GREETER.ctx.props),
      envOfGreeter: await attempt(() => env.GREETER.env),
      greet: await attempt(() => env.GREETER.greet()),
      outbound: await attempt(async () => (await fetch("https://example.com/")).text()),
    });
  },
};`;

export const childrenCannotReadGreeterProps = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(child(PROPS_SNOOPER, {
      env: { GREETER: ctx.exports.Greeter({ props: { name: "Alice" } }) },
      globalOutbound: ctx.exports.Greeter({ props: { name: "Bob" } }),
    }));
    const r = await worker.getEntrypoint().fetch("http://child/");
    const seen = await r.json();
    assertEqual(seen.greet, "Hello, Alice!");
    assertEqual(seen.outbound, "Hello, Bob!");
    for (const [key, value] of Object.entries(seen)) {
      if (key === "greet" || key === "outbound") continue;
      assert(!value.includes("Alice") && !value.includes("Bob"), `${key} leaked props: ${value}`);
    }
    assertEqual(seen.ownProps, "{}"); // as on workerd: no props of its own
  },
};

export const childThatThrows = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.get("thrower", () => child(
      `export default { fetch() { throw new RangeError("child failed on purpose"); } };`,
      { tails: [ctx.exports.Tail({ props: { name: "thrower" } })] }));
    const error = await assertRejects(worker.getEntrypoint().fetch("http://child/"), Error);
    assert(error.message.includes("child failed on purpose"), error.message);
    const [event] = await eventually("the thrower's tail event", () => tailEvents.thrower);
    assertEqual(event.outcome, "exception");
    assertEqual(event.exceptions[0].name, "RangeError");
    // The parent is unaffected and the same id answers again (with the same failure).
    await assertRejects(worker.getEntrypoint().fetch("http://child/"), Error);
  },
};

export const childThatLoops = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.get("looper", () => child(
      `export default { fetch() { for (;;) {} } };`,
      { tails: [ctx.exports.Tail({ props: { name: "looper", then: "throw" } })] }));
    const started = Date.now();
    await assertRejects(worker.getEntrypoint().fetch("http://child/"), Error, /exceeded CPU/i);
    assert(Date.now() - started < 10000, "the CPU limit stopped the loop");
    const [event] = await eventually("the looper's tail event", () => tailEvents.looper);
    assertEqual(event.outcome, "exceededCpu");
    // Another child on the same loader still runs.
    const ok = await env.LOADER.load(child(`export default { fetch() { return new Response("still here"); } };`))
      .getEntrypoint().fetch("http://child/");
    assertEqual(await ok.text(), "still here");
  },
};

export const childThatNeverAnswers = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(child(
      `export default { fetch() { return new Promise(() => {}); } };`,
      { tails: [ctx.exports.Tail({ props: { name: "silent", then: "hang" } })] }));
    const error = await assertRejects(worker.getEntrypoint().fetch("http://child/"), Error);
    assert(/hung and would never generate a response/.test(error.message), error.message);
  },
};

export const getCallbackFailures = {
  async test(ctrl, env) {
    // The docs: "If loading fails, the request will throw an exception."
    const throwing = env.LOADER.get("callback-throws", async () => {
      throw new TypeError("no code in storage");
    });
    const error = await assertRejects(throwing.getEntrypoint().fetch("http://child/"), Error);
    assert(error.message.includes("no code in storage"), error.message);
    // Like the docs' MY_CODE_STORAGE.get() of a key that is not there: code is null.
    const missing = env.LOADER.get("code-missing", async () => child(null));
    await assertRejects(missing.getEntrypoint().fetch("http://child/"), Error);
  },
};

// A child handed a ctx.exports loopback (as in the docs' env example) that, when called, loads
// another child: each hop is a fetch(). kiln's limit of 16 nested calls between workers must
// stop it; without it the recursion creates isolates until the daemon runs out of memory.
export class Spawner extends WorkerEntrypoint {
  async spawn(depth) {
    if (depth >= 64) return "64 levels deep";
    const worker = this.env.LOADER.load(child(
      `export default { async fetch(request, env) { return new Response(await env.SPAWN.spawn(${depth} + 1)); } };`,
      { env: { SPAWN: this.ctx.exports.Spawner({}) } }));
    const response = await worker.getEntrypoint().fetch("http://child/");
    return response.text();
  }
}

export const recursiveLoadingHitsDepthLimit = {
  async test(ctrl, env, ctx) {
    await assertRejects(ctx.exports.Spawner.spawn(0), Error, /Subrequest depth limit exceeded/);
  },
};

// A child that floods its tail with logs: the event is cut short, and says so (workerd: 241 of
// 20000 logs, truncated: true).
export const tailOfLogFlood = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(child(
      `export default { fetch() { const s = "x".repeat(1000); for (let i = 0; i < 20000; i++) console.log(i, s); return new Response("done"); } };`,
      { tails: [ctx.exports.Tail({ props: { name: "flood" } })] }));
    assertEqual(await (await worker.getEntrypoint().fetch("http://child/")).text(), "done");
    const [event] = await eventually("the flood's tail event", () => tailEvents.flood);
    assertEqual(event.outcome, "ok");
    // A tail's event is bounded (256 KiB of log messages, as workerd's), and says it is cut.
    assert(event.logs.length > 200 && event.logs.length <= 260, `${event.logs.length} logs`);
    assertEqual(event.truncated, true, `${event.logs.length} of 20000 logs arrived`);
  },
};
