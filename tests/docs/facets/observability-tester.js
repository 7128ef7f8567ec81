// Tests for docs section "Observability": the Tail Worker receives the Dynamic Worker's logs with
// the props it was attached with, and the real-time pattern returns them with the response.
import { assert, assertDeepEqual, assertEqual } from "assert.js";

// Tails run after the response, in the background: poll the loader Worker's captured console.
async function captured(env, workerId, count) {
  for (let i = 0; i < 200; i++) {
    const all = await (await env.ATTACH.fetch("http://loader/captured")).json();
    const mine = all.filter((entry) => entry.workerId === workerId);
    if (mine.length >= count) return mine;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the tail never logged for " + workerId);
}

export const tailWorkerLogsWithTheWorkerId = {
  async test(ctrl, env) {
    const workerId = "worker-" + crypto.randomUUID();
    const response = await env.ATTACH.fetch("http://loader/some/path?workerId=" + workerId);
    assertEqual(response.status, 200);
    assertEqual(await response.text(), "dynamic worker says hi");
    const logs = await captured(env, workerId, 2);
    assertDeepEqual(logs, [
      { source: "dynamic-worker-tail", workerId, level: "log", message: ["handling", "/some/path"] },
      { source: "dynamic-worker-tail", workerId, level: "warn", message: [{ careful: true }] },
    ]);
  },
};

export const eachWorkerIdGetsItsOwnTail = {
  async test(ctrl, env) {
    const a = "a-" + crypto.randomUUID();
    const b = "b-" + crypto.randomUUID();
    await (await env.ATTACH.fetch("http://loader/first?workerId=" + a)).text();
    await (await env.ATTACH.fetch("http://loader/second?workerId=" + b)).text();
    // A warm worker (same id, get()) keeps its tail: a second request is logged for it too.
    await (await env.ATTACH.fetch("http://loader/third?workerId=" + a)).text();
    const forA = await captured(env, a, 4);
    const forB = await captured(env, b, 2);
    assertDeepEqual(forA.filter((l) => l.level === "log").map((l) => l.message[1]), ["/first", "/third"]);
    assertDeepEqual(forB.filter((l) => l.level === "log").map((l) => l.message[1]), ["/second"]);
  },
};

export const fragmentWithoutCompatibilityDateIsRefused = {
  async test(ctrl, env) {
    // As printed, the docs' WorkerCode has no compatibilityDate, which the API reference lists as
    // required (workerd: "Invalid compatibility date: undefined"): the call says which field.
    let result;
    try {
      const response = await env.ATTACH_RAW.fetch("http://loader/?workerId=raw");
      result = "resolved with " + response.status + " " + await response.text();
    } catch (e) {
      result = e.name + ": " + e.message;
    }
    assert(/compatibility ?date/i.test(result), result);
  },
};

export const realTimeLogsComeBackWithTheResponse = {
  async test(ctrl, env) {
    const name = "session-" + crypto.randomUUID();
    const started = Date.now();
    const result = await (await env.REALTIME.fetch("http://loader/run?buffer&name=" + name)).json();
    assertEqual(result.status, 200);
    assertEqual(result.body, "child response");
    assertDeepEqual(result.logs, [
      { level: "log", message: ["step one"] },
      { level: "error", message: ["step two", 2] },
    ]);
    // The logs arrived without waiting out getLogs()'s 1 s.
    assert(Date.now() - started < 900, "took " + (Date.now() - started) + " ms");
  },
};

export const realTimeLogsBeforeTheBodyIsRead = {
  async test(ctrl, env) {
    // The fragment as printed, with the Dynamic Worker's own response: getLogs(1000) runs before
    // the body is read, so the child's event has not ended and the tail has not run: no logs
    // after the full second (workerd 1.20261117 does the same). The tail still delivers them to
    // the session afterwards.
    const name = "session-" + crypto.randomUUID();
    const started = Date.now();
    const result = await (await env.REALTIME.fetch("http://loader/run?name=" + name)).json();
    assertEqual(result.body, "child response");
    assertDeepEqual(result.logs, []);
    assert(Date.now() - started >= 1000, "took " + (Date.now() - started) + " ms");
  },
};
