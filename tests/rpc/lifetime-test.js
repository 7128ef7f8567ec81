// Stub lifetimes. A stub a stateless worker receives (in a call's arguments or in a result) is
// scoped to the event it arrived in: usable until that event, waitUntil() work included, ends,
// and revoked afterwards, so a worker cannot hoard a caller's capabilities across requests. A
// Durable Object outlives its events and keeps what it is handed. Each check first uses the stub
// inside its event, so a failure later is the revocation and nothing else.
import { assert, assertEqual, assertRejects, sleep } from "assert.js";
import { DurableObject, RpcTarget, WorkerEntrypoint } from "cloudflare:workers";

const SCOPE_ENDED =
  "This RPC stub was received during a request or call that has ended. Stubs a stateless " +
  "worker receives are only usable until the event they arrived in finishes; a Durable " +
  "Object can keep them.";
const DISPOSED = "Attempted to use RPC stub after it has been disposed.";
const OBJECT_ENDED =
  "This RPC stub was received by a Durable Object instance that has since been aborted, " +
  "evicted or shut down; its stubs ended with it.";

class Counter extends RpcTarget {
  constructor() {
    super();
    this.n = 0;
  }
  inc() {
    return ++this.n;
  }
}

export class Maker extends WorkerEntrypoint {
  make() {
    return new Counter();
  }
  identity(value) {
    return value;
  }
  fetch() {
    return new Response("maker");
  }
}

// Module state outlives events; that is what the stubs stashed here try to exploit.
let kept = null;
const late = [];

export class Keeper extends WorkerEntrypoint {
  async keep(stub) {
    kept = stub;
    return kept("inside");
  }
  async keepResult() {
    kept = await this.ctx.exports.Maker.make();
    return kept.inc();
  }
  async keepDuringWaitUntil(fn) {
    kept = fn;
    this.ctx.waitUntil(
      (async () => {
        await sleep(20);
        late.push(await fn("from waitUntil"));
      })(),
    );
  }
  async useKept(arg) {
    return kept(arg);
  }
  async incKept() {
    return kept.inc();
  }
  async fetchKept() {
    const response = await kept.fetch("http://maker/");
    return response.text();
  }
  async forwardToHolder(name, stub) {
    kept = stub;
    await this.env.HOLDER.get(this.env.HOLDER.idFromName(name)).hold(stub);
  }
}

export class Holder extends DurableObject {
  hold(stub) {
    this.held = stub;
  }
  callHeld(arg) {
    return this.held(arg);
  }
}

// A facet's class: it stashes what it is handed in module state too, which outlives the facet
// instance (the isolate is the supervisor's).
let stashedByFacet = null;

export class Child extends DurableObject {
  hold(stub) {
    this.held = stub;
    stashedByFacet = stub;
  }
  callHeld(arg) {
    return this.held(arg);
  }
  callStashed(arg) {
    return stashedByFacet(arg);
  }
}

export class Supervisor extends DurableObject {
  child() {
    return this.ctx.facets.get("child", () => ({ class: this.ctx.exports.Child }));
  }
  hold(stub) {
    return this.child().hold(stub);
  }
  callHeld(arg) {
    return this.child().callHeld(arg);
  }
  callStashed(arg) {
    return this.child().callStashed(arg);
  }
  abortChild() {
    this.ctx.facets.abort("child", "restarting");
  }
}

export const argumentStubIsRevokedWhenTheCallEnds = {
  async test(ctrl, env, ctx) {
    const echo = (x) => `echo ${x}`;
    assertEqual(await ctx.exports.Keeper.keep(echo), "echo inside");
    const e = await assertRejects(() => ctx.exports.Keeper.useKept("later"), Error);
    assertEqual(e.message, SCOPE_ENDED);
  },
};

export const resultStubIsRevokedWhenTheEventEnds = {
  async test(ctrl, env, ctx) {
    assertEqual(await ctx.exports.Keeper.keepResult(), 1);
    const e = await assertRejects(() => ctx.exports.Keeper.incKept(), Error);
    assertEqual(e.message, SCOPE_ENDED);
  },
};

export const revokedServiceStubRefusesFetch = {
  async test(ctrl, env, ctx) {
    await ctx.exports.Keeper.forwardToHolder("fetch-check", ctx.exports.Maker);
    // Stashed by Keeper during forwardToHolder, whose event is over.
    const e = await assertRejects(() => ctx.exports.Keeper.fetchKept(), Error);
    assertEqual(e.message, SCOPE_ENDED);
  },
};

export const waitUntilKeepsTheEventAlive = {
  async test(ctrl, env, ctx) {
    late.length = 0;
    await ctx.exports.Keeper.keepDuringWaitUntil((x) => `ok ${x}`);
    for (let i = 0; i < 100 && late.length === 0; i++) await sleep(10);
    assertEqual(late[0], "ok from waitUntil", "the stub works until waitUntil() work is done");
    await sleep(20);
    const e = await assertRejects(() => ctx.exports.Keeper.useKept("after"), Error);
    assertEqual(e.message, SCOPE_ENDED);
  },
};

export const durableObjectKeepsWhatItIsHanded = {
  async test(ctrl, env, ctx) {
    const holder = env.HOLDER.get(env.HOLDER.idFromName("direct"));
    await holder.hold((x) => x * 2);
    assertEqual(await holder.callHeld(21), 42, "in a later event of the object");
    assertEqual(await holder.callHeld(5), 10);
  },
};

export const facetAbortRevokesWhatTheFacetReceived = {
  async test(ctrl, env, ctx) {
    const sup = env.SUPERVISOR.get(env.SUPERVISOR.idFromName("abort"));
    await sup.hold((x) => `facet got ${x}`);
    assertEqual(await sup.callHeld(1), "facet got 1", "kept across the facet's events");
    assertEqual(await sup.callStashed(2), "facet got 2");
    await sup.abortChild();
    // A new instance of the facet runs in the same isolate and finds the old stub in module
    // state: it ended with the instance that received it.
    const e = await assertRejects(() => sup.callStashed(3), Error);
    assertEqual(e.message, OBJECT_ENDED);
  },
};

export const forwardedStubFollowsTheReceiversScope = {
  async test(ctrl, env, ctx) {
    // Keeper's hold ends with its call; the object it passed the stub to keeps its own.
    await ctx.exports.Keeper.forwardToHolder("forwarded", (x) => x + 1);
    const holder = env.HOLDER.get(env.HOLDER.idFromName("forwarded"));
    assertEqual(await holder.callHeld(1), 2);
    const e = await assertRejects(() => ctx.exports.Keeper.useKept(1), Error);
    assertEqual(e.message, SCOPE_ENDED);
  },
};

export const dupHasItsOwnLifetime = {
  async test(ctrl, env, ctx) {
    const a = await ctx.exports.Maker.make();
    const b = a.dup();
    assert(b !== a);
    assertEqual(await a.inc(), 1);
    a[Symbol.dispose]();
    const e = await assertRejects(() => a.inc(), Error);
    assertEqual(e.message, DISPOSED);
    assertEqual(await b.inc(), 2, "the duplicate reaches the same object");

    // A function stub's duplicate is callable too.
    const fn = await ctx.exports.Maker.identity((x) => x * 10);
    const fn2 = fn.dup();
    fn[Symbol.dispose]();
    assertEqual(await fn2(4), 40);
  },
};

// A request body belongs to the request: a worker that keeps the Request past its event (here
// the event fails) must find it unreadable, not read the caller's freed stream. (The event ends
// once its response body has been read.) The hostile suite's endless streams, dropped by their
// clients, cover the other way an event ends: canceled.
export class BodyKeeper extends WorkerEntrypoint {
  async fetch(request) {
    if (new URL(request.url).pathname === "/keep") {
      globalThis.keptRequest = request;
      throw new Error("failing on purpose, body unread");
    }
    try {
      return new Response("read: " + (await globalThis.keptRequest.text()));
    } catch (e) {
      return new Response(`${e.name}: ${e.message}`);
    }
  }
}

export const aKeptRequestBodyIsNotReadableAfterItsEventFailed = {
  async test(ctrl, env, ctx) {
    await assertRejects(ctx.exports.BodyKeeper.fetch("http://keeper/keep", {
      method: "POST",
      body: "x".repeat(100000),
    }), Error, "failing on purpose");
    const second = await ctx.exports.BodyKeeper.fetch("http://keeper/read");
    const text = await second.text();
    assert(text.includes("no longer be read"), text);
  },
};
