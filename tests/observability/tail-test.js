import { assert, assertDeepEqual, assertEqual, assertRejects } from "assert.js";
import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";

// Tails are delivered after the response, in the background: poll for them.
async function waitFor(read, predicate) {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (predicate(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("timed out waiting for tail events");
}

export const configuredTailGetsEachEvent = {
  async test(ctrl, env) {
    const response = await env.TRACED.fetch("http://traced/first?x=1",
      { headers: { "X-Trace-Me": "yes" } });
    assertEqual(response.status, 201);
    // The event ends when its response has been delivered, body included.
    assertEqual(await response.text(), "traced ok");
    const events = await waitFor(() => env.TAILER.events(), (list) => list.length >= 1);
    const event = events.find((e) => e.event.request?.url.endsWith("/first?x=1"));
    assert(event, JSON.stringify(events));
    assertEqual(event.scriptName, "traced");
    assertEqual(event.outcome, "ok");
    assertEqual(event.event.request.method, "GET");
    assertEqual(event.event.response.status, 201);
    assert(typeof event.eventTimestamp === "number" && event.eventTimestamp > 0);
    assertEqual(event.logs.length, 2);
    // The rest of Workers' TraceItem.
    assertEqual(event.executionModel, "stateless");
    assertEqual(event.event.request.headers["x-trace-me"], "yes");
    assertEqual(event.truncated, false);
    assert(typeof event.cpuTime === "number" && typeof event.wallTime === "number",
      JSON.stringify(event));
    assertDeepEqual(event.diagnosticsChannelEvents, []);
    assertEqual(event.logs[0].level, "log");
    // The console call's arguments, as in Workers' TraceItem: console.log("handling", path).
    assertDeepEqual(event.logs[0].message, ["handling", "/first"]);
    assertEqual(event.logs[1].level, "warn");
    assertDeepEqual(event.logs[1].message, [{ detail: 42 }]);
    assertEqual(event.exceptions.length, 0);
  },
};

export const rpcCallsAreEventsToo = {
  async test(ctrl, env) {
    assertEqual(await env.TRACED_API.square(7), 49);
    const events = await waitFor(() => env.TAILER.events(),
      (list) => list.some((e) => e.event && e.event.rpcMethod === "square"));
    const event = events.find((e) => e.event && e.event.rpcMethod === "square");
    assertEqual(event.outcome, "ok");
    assertDeepEqual(event.logs[0].message, ["squaring", 7]);
  },
};

export const exceptionsAreReported = {
  async test(ctrl, env) {
    // The caller's fetch() rejects with the worker's error; the tail still hears of it.
    await assertRejects(env.TRACED.fetch("http://traced/throw"), Error);
    const events = await waitFor(() => env.TAILER.events(),
      (list) => list.some((e) => e.event.request?.url.endsWith("/throw")));
    const event = events.find((e) => e.event.request?.url.endsWith("/throw"));
    assertEqual(event.outcome, "exception");
    assertEqual(event.exceptions.length, 1);
    assertEqual(event.exceptions[0].name, "TypeError");
    assertEqual(event.exceptions[0].message, "traced failure");
    assert(event.exceptions[0].stack.includes("traced.js"), event.exceptions[0].stack);
  },
};

// The parent's own tail for dynamic workers, as the Dynamic Workers docs show.
const seen = [];
export class LogTailer extends WorkerEntrypoint {
  tail(events) {
    for (const event of events) seen.push({ name: this.ctx.props.name, event });
  }
}

function child(source, fields) {
  return {
    compatibilityDate: "2024-09-01",
    mainModule: "main.js",
    modules: { "main.js": source },
    ...fields,
  };
}

export const dynamicWorkerTail = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(child(`
      export default { fetch() { console.log("from the child"); return new Response("hi"); } };
    `, { tails: [ctx.exports.LogTailer({ props: { name: "alice" } })] }));
    assertEqual(await (await worker.getEntrypoint().fetch("http://child/x")).text(), "hi");
    const found = await waitFor(async () => seen, (list) => list.some((s) => s.name === "alice"));
    const { event } = found.find((s) => s.name === "alice");
    assertEqual(event.outcome, "ok");
    assertEqual(event.logs[0].message[0], "from the child");
  },
};

export const dynamicWorkerKilledForCpuStillReports = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(child(`
      export default { fetch() { console.log("about to spin"); for (;;) {} } };
    `, {
      limits: { cpuMs: 50 },
      tails: [ctx.exports.LogTailer({ props: { name: "spinner" } })],
    }));
    let error;
    try {
      await worker.getEntrypoint().fetch("http://child/");
    } catch (e) {
      error = e;
    }
    assert(error && error.message.includes("exceeded CPU time limit"), String(error));
    const found = await waitFor(async () => seen, (list) => list.some((s) => s.name === "spinner"));
    const { event } = found.find((s) => s.name === "spinner");
    assertEqual(event.outcome, "exceededCpu");
    assertEqual(event.logs[0].message[0], "about to spin");
  },
};

export const throwingTailDoesNotAffectTheWorker = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(child(`
      export default { fetch() { return new Response("fine"); } };
    `, { tails: [ctx.exports.BrokenTailer] }));
    const response = await worker.getEntrypoint().fetch("http://child/");
    assertEqual(await response.text(), "fine");
  },
};

export class BrokenTailer extends WorkerEntrypoint {
  tail() {
    throw new Error("this tail is broken");
  }
}

// The Dynamic Workers docs' real-time log pattern: the child's tail forwards its logs to a
// LogSession Durable Object, and the parent's request waits on that object to return the logs
// along with the child's response.
export class LogSession extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.lines = [];
    this.waiters = [];
  }
  addLogs(lines) {
    this.lines.push(...lines);
    for (const resolve of this.waiters.splice(0)) resolve();
  }
  async waitForLogs(count) {
    while (this.lines.length < count) {
      await new Promise((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 2000);  // Bounded: a lost tail fails the test instead of hanging.
      });
      if (this.lines.length < count && this.timedOut++ > 0) break;
    }
    return this.lines;
  }
}
LogSession.prototype.timedOut = 0;

export class DynamicWorkerTail extends WorkerEntrypoint {
  async tail(events) {
    const lines = events.flatMap((event) => event.logs.map((log) => log.message.join(" ")));
    await this.env.LOG_SESSION.getByName(this.ctx.props.session).addLogs(lines);
  }
}

export const realTimeLogsThroughADurableObject = {
  async test(ctrl, env, ctx) {
    const session = "session-" + crypto.randomUUID();
    const worker = env.LOADER.get("logging-child", async () => child(`
      export default {
        fetch() {
          console.log("step one");
          console.log("step two");
          return new Response("child result");
        },
      };
    `, { tails: [ctx.exports.DynamicWorkerTail({ props: { session } })] }));
    const response = await worker.getEntrypoint().fetch("http://child/");
    const result = await response.text();
    const logs = await env.LOG_SESSION.getByName(session).waitForLogs(2);
    assertEqual(result, "child result");
    assertEqual(JSON.stringify(logs), JSON.stringify(["step one", "step two"]));
  },
};

// Streaming tails (`streamingTails`): the same event as onset, log, exception, return and
// outcome events, with workerd's shapes (checked side by side with workerd on the same code).
function streamOf(env, predicate) {
  return waitFor(() => env.TAILER.streamed(), (list) => list.some(predicate))
    .then((list) => list.find(predicate));
}
const typesOf = (events) => events.map((e) => e.event.type).join(",");

export const configuredStreamingTailGetsTheEventAsStream = {
  async test(ctrl, env) {
    const response = await env.TRACED.fetch("http://traced/stream-me", {
      method: "POST", headers: { "x-a": "1" }, body: "zz",
    });
    assertEqual(await response.text(), "traced ok");
    const events = await streamOf(env, (s) => s[0].event.info.url?.endsWith("/stream-me"));
    assertEqual(typesOf(events), "onset,log,log,return,outcome");
    const [onset, log, warn, ret, outcome] = events;
    assertEqual(onset.event.executionModel, "stateless");
    assertEqual(onset.event.entrypoint, undefined);
    assertDeepEqual(onset.event.scriptTags, []);
    assertDeepEqual(onset.event.info, {
      type: "fetch", method: "POST", url: "http://traced/stream-me",
      headers: [{ name: "content-type", value: "text/plain;charset=UTF-8" },
        { name: "x-a", value: "1" }],
    });
    assert(/^[0-9a-f]{16}$/.test(onset.event.spanId), onset.event.spanId);
    assertDeepEqual(Object.keys(onset.spanContext), ["traceId"]);
    for (const [i, e] of events.entries()) {
      assertEqual(e.sequence, i);
      assert(e.timestamp instanceof Date, "timestamps are Dates");
      assertEqual(e.invocationId, onset.invocationId);
      assert(/^[0-9a-f]{32}$/.test(e.invocationId), e.invocationId);
      if (i > 0) {
        assertDeepEqual(e.spanContext,
          { traceId: onset.spanContext.traceId, spanId: onset.event.spanId });
      }
    }
    assertDeepEqual(log.event, { type: "log", level: "log", message: ["handling", "/stream-me"] });
    assertDeepEqual(warn.event, { type: "log", level: "warn", message: [{ detail: 42 }] });
    assertDeepEqual(ret.event, { type: "return", info: { type: "fetch", statusCode: 201 } });
    assertEqual(outcome.event.outcome, "ok");
    assertEqual(typeof outcome.event.cpuTime, "number");
    assertEqual(typeof outcome.event.wallTime, "number");
  },
};

export const streamingTailSeesUncaughtExceptions = {
  async test(ctrl, env) {
    await assertRejects(env.TRACED.fetch("http://traced/throw?stream"), TypeError);
    const events = await streamOf(env, (s) => s[0].event.info.url?.endsWith("/throw?stream"));
    assertEqual(typesOf(events), "onset,log,log,exception,outcome");
    const exception = events[3].event;
    assertEqual(exception.name, "TypeError");
    assertEqual(exception.message, "traced failure");
    // Frames only, and only the tenant's: none of kiln's built-ins.
    assert(exception.stack.startsWith("    at ") && exception.stack.includes("traced.js"),
      exception.stack);
    assert(!exception.stack.includes("kiln:internal"), exception.stack);
    assertEqual(events[4].event.outcome, "exception");
  },
};

export const streamingTailOfRpcCalls = {
  async test(ctrl, env) {
    assertEqual(await env.TRACED_API.square(9), 81);
    const events = await streamOf(env,
      (s) => s[0].event.info.type === "jsrpc" && s[1]?.event.message?.[1] === 9);
    assertEqual(typesOf(events), "onset,log,return,outcome");
    assertEqual(events[0].event.entrypoint, "Api");
    assertDeepEqual(events[0].event.info, { type: "jsrpc" });
    assertDeepEqual(events[2].event, { type: "return" });
  },
};

const childStreams = [];
export class StreamCollector extends WorkerEntrypoint {
  tailStream(onset) {
    const events = [onset];
    childStreams.push({ name: this.ctx.props.name, events });
    // A function handler, awaited before the next event.
    return async (event) => {
      await null;
      events.push(event);
    };
  }
}

export const dynamicWorkerStreamingTails = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(child(`
      import { WorkerEntrypoint } from "cloudflare:workers";
      export class Api extends WorkerEntrypoint {
        boom() { console.log("x", new RangeError("inner")); throw new RangeError("bad"); }
      }
      export default {
        fetch() { console.error(new Error("e1"), { e: 1 }); return new Response("hi"); },
      };
    `, { streamingTails: [ctx.exports.StreamCollector({ props: { name: "kid" } })] }));
    assertEqual(await (await worker.getEntrypoint().fetch("http://child/")).text(), "hi");
    const found = await waitFor(async () => childStreams,
      (list) => list.some((s) => s.name === "kid" && s.events.length === 4));
    const { events } = found.find((s) => s.name === "kid");
    assertEqual(typesOf(events), "onset,log,return,outcome");
    const log = events[1].event;
    assertDeepEqual(log.message, ["Error: e1", { e: 1 }]);
    assertEqual(log.errorInfo.length, 2);
    assertEqual(log.errorInfo[0].name, "Error");
    assertEqual(log.errorInfo[0].message, "e1");
    assert(log.errorInfo[0].stack.startsWith("    at "), log.errorInfo[0].stack);
    assertEqual(log.errorInfo[1], null);
    // An RPC method's throw is its caller's: no exception event, no return, outcome ok.
    childStreams.length = 0;
    await assertRejects(worker.getEntrypoint("Api").boom(), RangeError);
    const rpc = await waitFor(async () => childStreams,
      (list) => list.some((s) => s.events.at(-1)?.event.type === "outcome"));
    assertEqual(typesOf(rpc[0].events), "onset,log,outcome");
    assertEqual(rpc[0].events[2].event.outcome, "ok");
  },
};

export const streamingTailsMustBeStubs = {
  async test(ctrl, env) {
    for (const streamingTails of ["x", ["x"], [{}]]) {
      const e = await assertRejects(async () => env.LOADER.load(child(
        "export default {};", { streamingTails })), TypeError);
      assert(e.message.includes("WorkerCode.streamingTails"), e.message);
    }
  },
};

export const tailsSeeErrorsAsWorkerdShowsThem = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(child(`
      import { WorkerEntrypoint } from "cloudflare:workers";
      export class Api extends WorkerEntrypoint { boom() { throw new RangeError("bad"); } }
      export default { fetch() { console.error(new TypeError("t1"), 2); return new Response(""); } };
    `, { tails: [ctx.exports.LogTailer({ props: { name: "errors" } })] }));
    await (await worker.getEntrypoint().fetch("http://child/")).text();
    await assertRejects(worker.getEntrypoint("Api").boom(), RangeError);
    const found = await waitFor(async () => seen,
      (list) => list.filter((s) => s.name === "errors").length === 2);
    const [fetchEvent, rpcEvent] = found.filter((s) => s.name === "errors").map((s) => s.event);
    assertDeepEqual(fetchEvent.logs[0].message, ["TypeError: t1", 2]);
    assertEqual(fetchEvent.logs[0].errorInfo[0].message, "t1");
    assertEqual(fetchEvent.logs[0].errorInfo[1], null);
    // As workerd: an RPC method's throw is not the event's exception.
    assertEqual(rpcEvent.outcome, "ok");
    assertDeepEqual(rpcEvent.exceptions, []);
  },
};
