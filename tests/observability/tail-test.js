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
