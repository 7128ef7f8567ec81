import { assert, assertEqual } from "assert.js";
import { WorkerEntrypoint } from "cloudflare:workers";

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
    const response = await env.TRACED.fetch("http://traced/first?x=1");
    assertEqual(response.status, 201);
    // The event ends when its response has been delivered, body included.
    assertEqual(await response.text(), "traced ok");
    const events = await waitFor(() => env.TAILER.events(), (list) => list.length >= 1);
    const event = events.find((e) => e.event.request.url.endsWith("/first?x=1"));
    assert(event, JSON.stringify(events));
    assertEqual(event.scriptName, "traced");
    assertEqual(event.outcome, "ok");
    assertEqual(event.event.request.method, "GET");
    assertEqual(event.event.response.status, 201);
    assert(typeof event.eventTimestamp === "number" && event.eventTimestamp > 0);
    assertEqual(event.logs.length, 2);
    assertEqual(event.logs[0].level, "log");
    assertEqual(event.logs[0].message[0], "handling /first");
    assertEqual(event.logs[1].level, "warn");
    assert(event.logs[1].message[0].includes("detail: 42"), event.logs[1].message[0]);
    assertEqual(event.exceptions.length, 0);
  },
};

export const exceptionsAreReported = {
  async test(ctrl, env) {
    const response = await env.TRACED.fetch("http://traced/throw");
    assertEqual(response.status, 500);
    await response.text();
    const events = await waitFor(() => env.TAILER.events(),
      (list) => list.some((e) => e.event.request.url.endsWith("/throw")));
    const event = events.find((e) => e.event.request.url.endsWith("/throw"));
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
