// JS RPC (Workers RPC) as the Dynamic Workers "Bindings" docs use it: WorkerEntrypoint classes
// exported here become custom bindings for dynamic workers through ctx.exports.X({props}), and
// the props decide what each holder may do. The docs' promises under test: a dynamic worker can
// only use what it was handed, never sees the props, and cannot forge a stub. Dynamic workers
// report what they observed as plain data, since values from their isolate cannot be compared
// here directly.
import { assert, assertEqual, assertDeepEqual, assertRejects, assertThrows } from "assert.js";
import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";
import CHAT_AGENT from "chat-agent.js";
import CUSTOMER from "customer-worker.js";
import PEER from "peer-worker.js";

const COMPAT_DATE = "2024-09-01";
const DISPOSED = "Attempted to use RPC stub after it has been disposed.";

function notImplemented(method) {
  return `The RPC receiver does not implement the method "${method}".`;
}

// A child that can reach nothing but its env: no internet, so the stubs are its only way out.
function loadChild(env, source, childEnv) {
  return env.LOADER.load({
    compatibilityDate: COMPAT_DATE,
    mainModule: "main.js",
    modules: { "main.js": source },
    env: childEnv,
    globalOutbound: null,
  });
}

// A call's outcome as data, whether it throws synchronously or rejects.
async function outcome(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, name: String(e && e.name), message: String(e && e.message) };
  }
}

function assertFailed(result, what) {
  assert(!result.ok, `${what} should fail, it returned ${JSON.stringify(result.value)}`);
}

// --- Chat room (docs: "Example: Chat room agent") -----------------------------------------------

// roomName → messages, standing in for the chat service the docs' postToChat() talks to.
const chatLog = new Map();

export class ChatRoom extends WorkerEntrypoint {
  async post(text) {
    const { apiKey, roomName, botName } = this.ctx.props;
    // The chat service only accepts the key from the config, so a post proves the key arrived.
    if (apiKey !== this.env.CHAT_API_KEY) throw new Error("chat service: invalid API key");
    if (!chatLog.has(roomName)) chatLog.set(roomName, []);
    chatLog.get(roomName).push(`[${botName}]: ${text}`);
  }
}

function loadChatAgent(env, ctx) {
  const chatRoom = ctx.exports.ChatRoom({
    props: { apiKey: env.CHAT_API_KEY, roomName: "#bot-chat", botName: "Robo" },
  });
  return loadChild(env, CHAT_AGENT, { CHAT_ROOM: chatRoom }).getEntrypoint("Agent");
}

export const chatRoomAgentPostsOnlyToItsRoom = {
  async test(ctrl, env, ctx) {
    chatLog.clear();
    await loadChatAgent(env, ctx).run();
    assertDeepEqual([...chatLog.entries()], [["#bot-chat", ["[Robo]: Hello!", "[Robo]: Hijack?"]]]);

    // The key check is real: a stub minted with another key cannot post.
    const wrongKey = ctx.exports.ChatRoom({
      props: { apiKey: "sk-guess", roomName: "#bot-chat", botName: "Robo" },
    });
    await assertRejects(() => wrongKey.post("x"), Error, "invalid API key");
    assertEqual(chatLog.get("#bot-chat").length, 2);
  },
};

export const chatRoomAgentCannotFindTheApiKey = {
  async test(ctrl, env, ctx) {
    assertEqual(env.CHAT_API_KEY, "sk-chat-Q7mZ41xVw9", "the key comes from the config");
    const found = await loadChatAgent(env, ctx).snoop();
    // Names of the probes whose findings contain `secret`, so a failure says which way leaked.
    const probesSeeing = (secret) =>
      Object.entries(found).filter(([, seen]) => JSON.stringify(seen).includes(secret))
        .map(([probe]) => probe);
    // The whole key, and its random part in case a probe saw it truncated or re-encoded.
    assertDeepEqual(probesSeeing(env.CHAT_API_KEY), [], "probes that saw the API key");
    assertDeepEqual(probesSeeing("Q7mZ41xVw9"), [], "probes that saw part of the API key");
    // The other props are the implementation's business too.
    assertDeepEqual(probesSeeing("#bot-chat"), [], "probes that saw the room name");
    assertDeepEqual(probesSeeing("Robo"), [], "probes that saw the bot name");

    // The probes ran and saw what a stub is meant to look like from outside.
    assertEqual(found["Object.keys(env)"].value, '["CHAT_ROOM"]');
    assertEqual(found["for-in env"].value, '["CHAT_ROOM"]');
    assertEqual(found["JSON.stringify(env)"].value, '{"CHAT_ROOM":{}}');
    assertEqual(found["Object.keys(stub)"].value, "[]");
    assertEqual(found["JSON.stringify(stub)"].value, "{}");
    const clone = found["structuredClone(stub)"];
    if (clone.error) assertEqual(clone.error.name, "DataCloneError", "structuredClone(stub)");
    for (const name of ["props", "ctx", "env"]) {
      assertEqual(found[`typeof stub.${name}`].value, "function", `typeof stub.${name}`);
      assertDeepEqual(found[`stub.${name}()`],
        { error: { name: "TypeError", message: notImplemented(name) } }, `stub.${name}()`);
    }
  },
};

// --- Per-customer storage (docs: "Scoping a KV namespace per customer") -------------------------

// The parent's store, shared by every MyStorage stub; keys are prefix + the customer's key.
const kv = new Map();

function kvEntries() {
  return [...kv.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export class MyStorage extends WorkerEntrypoint {
  get(key) {
    return kv.get(this.ctx.props.prefix + key) ?? null;
  }

  put(key, value) {
    kv.set(this.ctx.props.prefix + key, String(value));
  }

  list() {
    const { prefix } = this.ctx.props;
    return [...kv.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))
      .sort();
  }
}

function storageFor(ctx, prefix) {
  return ctx.exports.MyStorage({ props: { prefix } });
}

function loadCustomer(env, ctx, prefix) {
  return loadChild(env, CUSTOMER, { STORAGE: storageFor(ctx, prefix) }).getEntrypoint("Customer");
}

export const kvScopedPerCustomer = {
  async test(ctrl, env, ctx) {
    kv.clear();
    const alice = loadCustomer(env, ctx, "alice/");
    const bob = loadCustomer(env, ctx, "bob/");
    await alice.put("settings", "dark-mode");
    await bob.put("settings", "light-mode");
    await bob.put("x", "bob's x");
    // Names that would reach bob's data if keys were paths or could escape the prefix.
    await alice.put("../bob/x", "alice 1");
    await alice.put("bob/x", "alice 2");

    assertEqual(await alice.get("settings"), "dark-mode");
    assertEqual(await bob.get("settings"), "light-mode");
    assertEqual(await bob.get("x"), "bob's x", "alice's writes did not touch bob's x");
    assertEqual(await alice.get("x"), null);
    assertEqual(await alice.get("../bob/x"), "alice 1");
    assertEqual(await alice.get("bob/x"), "alice 2");
    assertEqual(await bob.get("../alice/settings"), null);
    assertEqual(await bob.get("alice/settings"), null);
    assertDeepEqual(await alice.list(), ["../bob/x", "bob/x", "settings"]);
    assertDeepEqual(await bob.list(), ["settings", "x"]);
    assertDeepEqual(kvEntries(), [
      ["alice/../bob/x", "alice 1"],
      ["alice/bob/x", "alice 2"],
      ["alice/settings", "dark-mode"],
      ["bob/settings", "light-mode"],
      ["bob/x", "bob's x"],
    ]);
  },
};

// --- Stubs cannot be forged, and keep their props wherever they go ------------------------------

// Objects shaped like `stub` without being one: its prototype with nothing of its own, and a plain
// object holding every function of its prototype chain under the same names.
function lookalikes(stub) {
  const proto = Object.getPrototypeOf(stub);
  const shaped = {};
  for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const key of Reflect.ownKeys(p)) {
      const descriptor = Object.getOwnPropertyDescriptor(p, key);
      if (typeof descriptor.value === "function" && !(key in shaped)) {
        shaped[key] = descriptor.value;
      }
    }
  }
  return { fromProto: Object.create(proto), shaped };
}

async function useLike(storage) {
  return {
    fetch: await outcome(() => storage.fetch("http://storage/x")),
    get: await outcome(() => storage.get("x")),
    put: await outcome(() => storage.put("forged", "1")),
    list: await outcome(() => storage.list()),
  };
}

export const forgedStubInParentGrantsNothing = {
  async test(ctrl, env, ctx) {
    kv.clear();
    const real = storageFor(ctx, "carol/");
    // The real stub works, so the failures below are down to the forgery.
    await real.put("control", "ok");
    for (const [kind, forged] of Object.entries(lookalikes(real))) {
      for (const [method, result] of Object.entries(await useLike(forged))) {
        assertFailed(result, `${kind}.${method}() in the parent`);
      }
      let child;
      try {
        child = loadChild(env, CUSTOMER, { FORGED: forged });
      } catch (e) {
        continue;  // Refused at the door: the child never got anything.
      }
      const seen = await child.getEntrypoint("Customer").useForged();
      for (const [method, result] of Object.entries(seen)) {
        assertFailed(result, `${kind}.${method}() in a dynamic worker`);
      }
    }
    assertDeepEqual(kvEntries(), [["carol/control", "ok"]]);
  },
};

export const forgedStubInChildCannotClaimOtherProps = {
  async test(ctrl, env, ctx) {
    kv.clear();
    const mallory = loadCustomer(env, ctx, "mallory/");
    await mallory.put("own", "1");
    const seen = await mallory.forge("bob/");
    for (const [kind, results] of Object.entries(seen)) {
      for (const [method, result] of Object.entries(results)) {
        assertFailed(result, `the child's ${kind}.${method}()`);
      }
    }
    assertDeepEqual(kvEntries(), [["mallory/own", "1"]]);
  },
};

export const stubKeepsItsPropsInAnotherWorker = {
  async test(ctrl, env, ctx) {
    kv.clear();
    const alice = loadCustomer(env, ctx, "alice/");
    const bob = loadCustomer(env, ctx, "bob/");
    // Out of alice's worker as a return value: still a stub, still alice's.
    const aliceStorage = await alice.storage();
    assertEqual(typeof aliceStorage.put, "function");
    await aliceStorage.put("from-parent", "1");
    // Into bob's worker as an argument: it writes as alice, bob's own binding as bob.
    await bob.putWith(aliceStorage, "via-bob-worker", "2");
    await bob.put("own", "3");
    // Into a third worker's env.
    const third = loadChild(env, CUSTOMER, { STORAGE: aliceStorage }).getEntrypoint("Customer");
    await third.put("via-third-worker", "4");
    assertDeepEqual(await third.list(), ["from-parent", "via-bob-worker", "via-third-worker"]);
    assertDeepEqual(await bob.list(), ["own"]);
    assertDeepEqual(kvEntries(), [
      ["alice/from-parent", "1"],
      ["alice/via-bob-worker", "2"],
      ["alice/via-third-worker", "4"],
      ["bob/own", "3"],
    ]);
  },
};

// --- Errors, disposal, unknown methods ----------------------------------------------------------

class QuotaError extends Error {
  constructor(message) {
    super(message);
    this.name = "QuotaError";
  }
}

export class Failing extends WorkerEntrypoint {
  typeError() {
    throw new TypeError("bad type: 42");
  }

  async rangeError() {
    await null;
    throw new RangeError("out of range: 7");
  }

  custom() {
    throw new QuotaError("quota exceeded: 3/3");
  }
}

export const errorsKeepTypeAndMessage = {
  async test(ctrl, env, ctx) {
    const failing = ctx.exports.Failing;
    let e = await assertRejects(() => failing.typeError(), TypeError);
    assertEqual(e.message, "bad type: 42");
    e = await assertRejects(() => failing.rangeError(), RangeError);
    assertEqual(e.message, "out of range: 7");
    // A custom subclass arrives as a plain Error whose message carries the class name, as
    // workerd sends it.
    e = await assertRejects(() => failing.custom(), Error);
    assertEqual(e.message, "QuotaError: quota exceeded: 3/3");
  },
};

export const errorsCrossDynamicWorkersBothWays = {
  async test(ctrl, env, ctx) {
    const peer = loadChild(env, PEER, { FAILING: ctx.exports.Failing }).getEntrypoint("Peer");
    // Thrown in the child, caught here as this isolate's error types.
    let e = await assertRejects(() => peer.throwTypeError(), TypeError);
    assertEqual(e.message, "child: bad type");
    e = await assertRejects(() => peer.throwRangeError(), RangeError);
    assertEqual(e.message, "child: out of range");
    e = await assertRejects(() => peer.throwCustom(), Error);
    assertEqual(e.message, "QuotaError: child: quota exceeded");
    // Thrown here, caught in the child as its own types.
    assertDeepEqual(await peer.catchFrom("typeError"), {
      name: "TypeError", message: "bad type: 42", isError: true, isTypeError: true,
      isRangeError: false,
    });
    assertDeepEqual(await peer.catchFrom("rangeError"), {
      name: "RangeError", message: "out of range: 7", isError: true, isTypeError: false,
      isRangeError: true,
    });
    const custom = await peer.catchFrom("custom");
    assertEqual(custom.message, "QuotaError: quota exceeded: 3/3");
    assert(custom.isError, "a custom error arrives as an Error");
  },
};

export const disposedStubRejects = {
  async test(ctrl, env, ctx) {
    kv.clear();
    assertEqual(typeof Symbol.dispose, "symbol");
    const storage = storageFor(ctx, "gone/");
    await storage.put("a", "1");
    storage[Symbol.dispose]();
    let e = await assertRejects(() => storage.get("a"), Error);
    assertEqual(e.message, DISPOSED);
    e = await assertRejects(() => storage.put("b", "2"), Error);
    assertEqual(e.message, DISPOSED);

    // A child disposing the stub in its env.
    const peer = loadChild(env, PEER, { STORAGE: storageFor(ctx, "peer/") }).getEntrypoint("Peer");
    const seen = await peer.useAfterDispose();
    assertEqual(seen && seen.message, DISPOSED, `the child saw ${JSON.stringify(seen)}`);

    // A stub for a returned RpcTarget.
    const counter = await ctx.exports.Counters.getCounter(0);
    assertEqual(await counter.inc(), 1);
    counter[Symbol.dispose]();
    e = await assertRejects(() => counter.inc(), Error);
    assertEqual(e.message, DISPOSED);

    assertDeepEqual(kvEntries(), [["gone/a", "1"], ["peer/before", "1"]]);
  },
};

export const unknownMethodRejects = {
  async test(ctrl, env, ctx) {
    const check = async (stub, where) => {
      const e = await assertRejects(() => stub.noSuchMethod(), TypeError, undefined, where);
      assertEqual(e.message, notImplemented("noSuchMethod"), where);
    };
    await check(storageFor(ctx, "x/"), "ctx.exports stub with props");
    await check(ctx.exports.MyStorage, "ctx.exports entry");
    await check(env.TENANT, "config service binding");
    await check(loadChild(env, PEER, {}).getEntrypoint("Peer"), "dynamic worker entrypoint");
    await check(await ctx.exports.Counters.getCounter(0), "RpcTarget stub");
  },
};

// --- RpcTarget, pipelining, callbacks, cloning --------------------------------------------------

class Counter extends RpcTarget {
  constructor(start) {
    super();
    this.value = start;
  }

  inc(by = 1) {
    this.value += by;
    return this.value;
  }
}

class Tally extends RpcTarget {
  constructor() {
    super();
    this.total = 0;
    this.calls = 0;
  }

  add(n) {
    this.calls++;
    this.total += n;
    return this.total;
  }
}

export class Counters extends WorkerEntrypoint {
  getCounter(start = 0) {
    return new Counter(start);
  }
}

export const rpcTargetsTravelByReference = {
  async test(ctrl, env, ctx) {
    const counter = await ctx.exports.Counters.getCounter(5);
    assert(!(counter instanceof Counter), "the caller gets a stub, not the object");
    assertEqual(typeof counter.value, "function", "fields are not copied: names are RPC methods");
    assertEqual(await counter.inc(), 6);
    assertEqual(await counter.inc(2), 8, "the target keeps its state between calls");

    const peer = loadChild(env, PEER, {}).getEntrypoint("Peer");
    const remote = await peer.makeCounter(100);
    assertEqual(await remote.inc(), 101);
    assertEqual(await remote.inc(), 102);

    // A target of ours handed to the child: its calls change this very object.
    const tally = new Tally();
    assertEqual(await peer.feed(tally, [1, 2, 3]), 3);
    assertEqual(tally.calls, 3);
    assertEqual(tally.total, 6);
  },
};

export const promisePipelining = {
  async test(ctrl, env, ctx) {
    assertEqual(await ctx.exports.Counters.getCounter(10).inc(5), 15);
    // Calls pipelined on one pending result reach one and the same counter.
    const pending = ctx.exports.Counters.getCounter(0);
    assertEqual(await pending.inc(), 1);
    assertEqual(await pending.inc(), 2);
    assertEqual(await (await pending).inc(), 3);
    // The first call's error is what a pipelined call rejects with.
    const e = await assertRejects(() => ctx.exports.Failing.typeError().anything(), TypeError);
    assertEqual(e.message, "bad type: 42");

    const peer = loadChild(env, PEER, { COUNTERS: ctx.exports.Counters }).getEntrypoint("Peer");
    assertEqual(await peer.makeCounter(7).inc(3), 10, "on a dynamic worker's result");
    assertEqual(await peer.pipelineThroughEnv(1), 11, "inside a dynamic worker");
    assertEqual(await env.TENANT.openLedger().add(5), "acme: 5", "across a config binding");
  },
};

export class Callbacks extends WorkerEntrypoint {
  async applyTwice(fn, value) {
    return fn(await fn(value));
  }
}

export const callbacksRunInTheCaller = {
  async test(ctrl, env, ctx) {
    const seen = [];
    const triple = (x) => {
      seen.push(x);
      return x * 3;
    };
    assertEqual(await ctx.exports.Callbacks.applyTwice(triple, 2), 18);
    assertDeepEqual(seen, [2, 6]);

    const peer = loadChild(env, PEER, {}).getEntrypoint("Peer");
    seen.length = 0;
    assertEqual(await peer.callTwice(triple, 1), 9);
    assertDeepEqual(seen, [1, 3], "the function ran here, with the child's arguments");
    // A callback's error reaches the child with its type.
    const report = await peer.callAndReport(() => {
      throw new RangeError("callback refused");
    });
    assertDeepEqual(report, {
      name: "RangeError", message: "callback refused", isError: true, isTypeError: false,
      isRangeError: true,
    });
    // A function returned by the child is a callable stub that runs there.
    const add5 = await peer.adder(5);
    assertEqual(typeof add5, "function");
    assertEqual(await add5(1), 6);
  },
};

export class Echo extends WorkerEntrypoint {
  mutate(value) {
    value.list.push("callee");
    value.map.set("k", "callee");
    return value;
  }
}

export const argumentsAndResultsAreCloned = {
  async test(ctrl, env, ctx) {
    const arg = {
      list: ["caller"], map: new Map([["k", "caller"]]), when: new Date(5),
      bytes: new Uint8Array([1, 2]),
    };
    const result = await ctx.exports.Echo.mutate(arg);
    assertDeepEqual(arg.list, ["caller"], "the callee changed a copy");
    assertEqual(arg.map.get("k"), "caller");
    assert(result !== arg, "the result is a copy too");
    assertDeepEqual(result.list, ["caller", "callee"]);
    assert(result.map instanceof Map && result.map.get("k") === "callee", "Map survives");
    assert(result.when instanceof Date && result.when.getTime() === 5, "Date survives");
    assertDeepEqual(result.bytes, new Uint8Array([1, 2]));
  },
};

export class Relay extends WorkerEntrypoint {
  plainPromise() {
    return Promise.resolve("plain");
  }

  // Not async: returns the pending call itself, which the RPC layer must await like any promise.
  counterValue(start) {
    return this.ctx.exports.Counters.getCounter(start).inc(0);
  }
}

export const methodMayReturnAPendingRpcCall = {
  async test(ctrl, env, ctx) {
    assertEqual(await ctx.exports.Relay.plainPromise(), "plain", "a returned promise is awaited");
    assertEqual(await ctx.exports.Relay.counterValue(4), 4, "so is a returned RPC call");
    kv.clear();
    const customer = loadCustomer(env, ctx, "relay/");
    await customer.put("k", "v");
    assertEqual(await customer.getUnawaited("k"), "v", "in a dynamic worker");
  },
};

// --- A service binding from the config --------------------------------------------------------

export const configServiceBindingWithProps = {
  async test(ctrl, env) {
    assertDeepEqual(await env.TENANT.whoami(), { tenant: "acme", plan: "gold" });
    assertEqual(await env.TENANT.describe("backup"), "backup for acme on gold");
    // The holder sees no props.
    assertEqual(typeof env.TENANT.props, "function");
    assertDeepEqual(Object.keys(env.TENANT), []);
    assertEqual(JSON.stringify(env.TENANT), "{}");

    const ledger = await env.TENANT.openLedger();
    assertEqual(await ledger.add(2), "acme: 2");
    assertEqual(await ledger.add(3), "acme: 5");

    // Handed to a dynamic worker, the binding still reaches the entrypoint with its props.
    const peer = loadChild(env, PEER, { TENANT: env.TENANT }).getEntrypoint("Peer");
    assertDeepEqual(await peer.whoIsTenant(), { tenant: "acme", plan: "gold" });
  },
};

// RPC to methods of a plain-object default export (workerd's behaviour, checked side by side).
export const plainObjectExportTakesRpc = {
  async test(ctrl, env) {
    assertEqual(await env.PLAIN.greet("bob"), "hi bob, this is the export");
    assertDeepEqual(await env.PLAIN.argumentTypes(1), ["number", "object", "object"],
      "env and ctx follow the arguments");
    await assertRejects(env.PLAIN.nope(), TypeError,
      'The RPC receiver does not implement the method "nope".');
    // As workerd: a handler-object function takes exactly one argument.
    await assertRejects(env.PLAIN.greet(), TypeError, "with the wrong number of arguments");
    await assertRejects(env.PLAIN.greet("a", "b"), TypeError, "exactly one argument");
    assertEqual(await (await env.PLAIN.fetch("http://plain/")).text(), "plain fetch");
  },
};

// A worker fetching itself through ctx.exports: every hop is a new event in the same isolate,
// with fresh limits, so only the call depth stops the chain. fetch() hops used not to count
// (only RPC calls carried the depth), and a nested event ran under the IoContext of the one
// around it: the chain grew until "Too many subrequests" 1000 levels down, or memory ran out.
export class SelfFetcher extends WorkerEntrypoint {
  async fetch(request) {
    const url = new URL(request.url);
    const level = Number(url.searchParams.get("level"));
    try {
      if (url.pathname === "/hop") return Response.json(await this.ctx.exports.SelfFetcher.hop(level + 1));
      return await this.ctx.exports.SelfFetcher.fetch(`http://self/?level=${level + 1}`);
    } catch (e) {
      return Response.json({ level, error: `${e.constructor.name}: ${e.message}` });
    }
  }

  // fetch() and RPC hops alternating count as one chain.
  async hop(level) {
    const response = await this.ctx.exports.SelfFetcher.fetch(`http://self/hop?level=${level}`);
    return response.json();
  }
}

export const fetchRecursionHitsTheDepthLimit = {
  async test(ctrl, env, ctx) {
    const result = await (await ctx.exports.SelfFetcher.fetch("http://self/?level=0")).json();
    assert(result.error.startsWith("Error: Subrequest depth limit exceeded."), result.error);
    // The test's own event is depth 1; the 16th event's fetch() is refused.
    assertEqual(result.level, 14);
  },
};

export const fetchAndRpcHopsCountAsOneChain = {
  async test(ctrl, env, ctx) {
    const result = await ctx.exports.SelfFetcher.hop(0);
    assert(result.error.startsWith("Error: Subrequest depth limit exceeded."), result.error);
    // Two events per level (hop() at depths 2, 4..., fetch() at 3, 5...): hop() at depth 16
    // is refused its fetch(), and the fetch() handler of level 6 (depth 15) catches that.
    assertEqual(result.level, 6);
  },
};

// fetch(url, {signal}) through a stub: aborting rejects the caller and cancels the callee's event
// (its timer never fires), as in workerd; an AbortSignal cannot be sent over RPC (workerd
// without enable_abortsignal_rpc).
const sleeperEvents = [];
export class Sleeper extends WorkerEntrypoint {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    sleeperEvents.push(`start ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    sleeperEvents.push(`finished ${path}`);
    return new Response("slept");
  }
  takes(value) { return typeof value; }
}

export const abortedFetchCancelsTheCallee = {
  async test(ctrl, env, ctx) {
    const show = (e) => `${e.name}: ${e.message}`;
    const controller = new AbortController();
    const pending = ctx.exports.Sleeper.fetch("http://sleeper/a", { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    assertEqual(await pending.then((r) => r.text(), show), "AbortError: The operation was aborted");
    assertEqual(await ctx.exports.Sleeper.fetch("http://sleeper/b", { signal: AbortSignal.timeout(30) })
      .then((r) => r.text(), show), "TimeoutError: The operation was aborted due to timeout");
    // Not aborted: it finishes.
    assertEqual(await (await ctx.exports.Sleeper.fetch("http://sleeper/c",
      { signal: new AbortController().signal })).text(), "slept");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertEqual(sleeperEvents.join(", "), "start /a, start /b, start /c, finished /c");
    await assertRejects(ctx.exports.Sleeper.takes(new AbortController().signal), DOMException,
      "AbortSignal serialization is not enabled.");
  },
};

// fetch() follows redirects as workerd does (each expected value below is workerd's output on
// the same code): method and body rules per status, at most 20 hops, Authorization dropped
// across origins, one-time bodies refused, bad Locations refused, "manual" untouched.
export class Redirector extends WorkerEntrypoint {
  async fetch(request) {
    const url = new URL(request.url);
    const body = request.body ? await request.text() : null;
    const seen = `${request.method} ${url.pathname}${url.search} body=${body} ` +
      `x=${request.headers.get("x-custom")} auth=${request.headers.get("authorization")}`;
    if (url.pathname.startsWith("/r/")) {
      return new Response("redirecting", {
        status: Number(url.pathname.slice(3)),
        headers: { location: url.searchParams.get("to") ?? "/end" },
      });
    }
    if (url.pathname === "/loop") {
      const n = Number(url.searchParams.get("n") ?? 0);
      return new Response(null, { status: 302, headers: { location: `/loop?n=${n + 1}` } });
    }
    if (url.pathname === "/bad") return new Response(null, { status: 302, headers: { location: "http://[::1" } });
    return new Response(seen);
  }
}

export const fetchFollowsRedirectsAsWorkerd = {
  async test(ctrl, env, ctx) {
    const R = ctx.exports.Redirector;
    const describe = async (p) => {
      try {
        const r = await p;
        return `${r.status} ${r.redirected} ${r.url} | ${await r.text()}`;
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    const cases = {
      get302: [R.fetch("http://r/r/302?to=/end?a=1", { headers: { "x-custom": "1" } }),
        "200 true http://r/end?a=1 | GET /end?a=1 body=null x=1 auth=null"],
      post302: [R.fetch("http://r/r/302", { method: "POST", body: "data" }),
        "200 true http://r/end | GET /end body=null x=null auth=null"],
      put303: [R.fetch("http://r/r/303", { method: "PUT", body: "data" }),
        "200 true http://r/end | GET /end body=null x=null auth=null"],
      head303: [R.fetch("http://r/r/303", { method: "HEAD" }), "200 true http://r/end | "],
      post307: [R.fetch("http://r/r/307", { method: "POST", body: "data" }),
        "200 true http://r/end | POST /end body=data x=null auth=null"],
      put308: [R.fetch("http://r/r/308", { method: "PUT", body: "data" }),
        "200 true http://r/end | PUT /end body=data x=null auth=null"],
      stream307: [R.fetch("http://r/r/307", { method: "POST", body: new Blob(["b"]).stream() }),
        "TypeError: A request with a one-time-use body (it was initialized from a stream, not a " +
        "buffer) encountered a redirect requiring the body to be retransmitted. To avoid this " +
        "error in the future, construct this request from a buffer-like body initializer."],
      sameOriginAuth: [R.fetch("http://r/r/302", { headers: { authorization: "s" } }),
        "200 true http://r/end | GET /end body=null x=null auth=s"],
      crossOriginAuth: [R.fetch("http://r/r/302?to=http://other/end", { headers: { authorization: "s" } }),
        "200 true http://other/end | GET /end body=null x=null auth=null"],
      manual: [R.fetch("http://r/r/302", { redirect: "manual" }),
        "302 false http://r/r/302 | redirecting"],
      status300: [R.fetch("http://r/r/300"), "300 false http://r/r/300 | redirecting"],
      badLocation: [R.fetch("http://r/bad"),
        "TypeError: Invalid Location header; unable to follow redirect."],
      dataLocation: [R.fetch("http://r/r/302?to=data:text/plain,hi"),
        "TypeError: Invalid Location header; unable to follow redirect."],
    };
    for (const [name, [promise, expected]] of Object.entries(cases)) {
      assertEqual(await describe(promise), expected, name);
    }
    const loop = await describe(R.fetch("http://r/loop"));
    const hops = ["http://r/loop"];
    for (let n = 1; n <= 20; n++) hops.push(`http://r/loop?n=${n}`);
    assertEqual(loop, `TypeError: Too many redirects.${hops.join(", ")}`);
    assertThrows(() => new Request("http://r/", { redirect: "error" }), TypeError,
      'Invalid redirect value, must be one of "follow" or "manual"');
  },
};

// A fetch() handler whose result is not a Response: the in-process caller gets a TypeError with
// the reason, nothing of KJ's ("kj::mv(*error) = ..." used to lead the message).
export class NotAResponse extends WorkerEntrypoint {
  async fetch() { return "a string"; }
}

export const nonResponseReachesTheCallerAsATypeError = {
  async test(ctrl, env, ctx) {
    const error = await assertRejects(ctx.exports.NotAResponse.fetch("http://x/"), TypeError);
    assertEqual(error.message,
      "Incorrect type for Promise: the Promise did not resolve to 'Response'.");
  },
};

// What a method throws reaches the caller as workerd sends it (each value below is workerd's on
// the same code): its built-in type, message and stack, `remote: true`, and no other own
// properties; a class of the worker's own becomes an Error led by its name; a DOMException stays
// one; anything else thrown becomes an Error.
export class Thrower extends WorkerEntrypoint {
  extra() { throw Object.assign(new RangeError("m"), { code: 5, extra: { a: 1 } }); }
  custom() {
    class MyError extends Error { constructor(m) { super(m); this.name = "MyError"; } }
    throw new MyError("mine");
  }
  withCause() { throw new Error("outer", { cause: new Error("inner") }); }
  plainObject() { throw { message: "plain object" }; }
  dom() { throw new DOMException("nope", "AbortError"); }
}

export const thrownErrorsCrossAsWorkerdSendsThem = {
  async test(ctrl, env, ctx) {
    const caught = async (name) => {
      try {
        await ctx.exports.Thrower[name]();
      } catch (e) {
        return e;
      }
      throw new Error(`${name} did not throw`);
    };
    const own = (e) => Object.getOwnPropertyNames(e).filter((p) => p !== "stack").sort().join(",");
    const extra = await caught("extra");
    assert(extra instanceof RangeError);
    assertEqual(`${extra.message} ${own(extra)} ${extra.remote}`, "m message,remote true");
    const custom = await caught("custom");
    assertEqual(`${custom.constructor.name} ${custom.message}`, "Error MyError: mine");
    assertEqual(own(await caught("withCause")), "message,remote");
    const plain = await caught("plainObject");
    assertEqual(`${plain.constructor.name} ${plain.message}`, "Error #<Object>");
    const dom = await caught("dom");
    assert(dom instanceof DOMException);
    assertEqual(`${dom.name} ${dom.code} ${dom.message}`, "AbortError 20 nope");
  },
};
