// Tests for docs section "Custom limits": "If a Dynamic Worker hits either of these limits, it
// will immediately throw an exception", and "the lower of the two limits is used".
import { assert, assertEqual, assertRejects } from "assert.js";

const CPU = "Worker exceeded CPU time limit.";
const SUBREQUESTS = "Too many subrequests by single Worker invocation.";

const tag = () => crypto.randomUUID();
const hits = async (env, t) => Number(await (await env.UPSTREAM.fetch("http://upstream/count?tag=" + t)).text());

async function rejection(promise) {
  try {
    const response = await promise;
    return "resolved with " + response.status + " " + await response.text();
  } catch (e) {
    return e.name + ": " + e.message;
  }
}

// First example: limits in the WorkerCode.

export const workerCodeSubrequestLimit = {
  async test(ctrl, env) {
    const t = tag();
    const response = await env.CODE_LIMITS.fetch("http://child/?n=7&tag=" + t);
    assertEqual(response.status, 200);
    // subRequests: 5. The sixth fetch() throws in the child, and so does every one after it.
    assertEqual(JSON.stringify(await response.json()), JSON.stringify(
      [200, 200, 200, 200, 200, "Error: " + SUBREQUESTS, "Error: " + SUBREQUESTS]));
    assertEqual(await hits(env, t), 5);
    // The count is per invocation: the next request gets five again.
    const again = await env.CODE_LIMITS.fetch("http://child/?n=5&tag=" + t);
    assertEqual(JSON.stringify(await again.json()), "[200,200,200,200,200]");
    assertEqual(await hits(env, t), 10);
  },
};

export const uncaughtSubrequestErrorReachesTheCaller = {
  async test(ctrl, env) {
    const t = tag();
    assertEqual(await rejection(env.CODE_LIMITS.fetch("http://child/uncaught?n=6&tag=" + t)),
      "Error: " + SUBREQUESTS);
    assertEqual(await hits(env, t), 5);
  },
};

export const workerCodeCpuLimit = {
  async test(ctrl, env) {
    // cpuMs: 10. The loop is stopped and the caller's fetch() rejects.
    assertEqual(await rejection(env.CODE_LIMITS.fetch("http://child/spin")), "Error: " + CPU);
    // The daemon, the loader worker and a fresh "my-worker" keep serving.
    const response = await env.CODE_LIMITS.fetch("http://child/?n=1&tag=" + tag());
    assertEqual(JSON.stringify(await response.json()), "[200]");
  },
};

export const todayPlaceholderIsNotADate = {
  async test(ctrl, env) {
    // Verbatim against the real binding, the docs' "$today" placeholder is refused by name.
    const result = await rejection(env.CODE_LIMITS_RAW.fetch("http://child/?n=1&tag=" + tag()));
    assert(/compatibility ?date/i.test(result) && result.includes("$today"), result);
  },
};

// Second example: limits on getEntrypoint().

export const entrypointSubrequestLimit = {
  async test(ctrl, env) {
    const t = tag();
    const ok = await env.ENTRYPOINT_LIMITS.fetch("http://child/uncaught?n=5&tag=" + t);
    assertEqual(await ok.text(), "entrypoint.fetch() resolved");
    assertEqual(await hits(env, t), 5);
    const t2 = tag();
    assertEqual(await rejection(env.ENTRYPOINT_LIMITS.fetch("http://child/uncaught?n=6&tag=" + t2)),
      "Error: " + SUBREQUESTS);
    assertEqual(await hits(env, t2), 5);
  },
};

export const lowerOfTheTwoSubrequestLimitsIsUsed = {
  async test(ctrl, env) {
    // WorkerCode says 3, getEntrypoint() says 5: 3.
    const t = tag();
    assertEqual(await rejection(env.ENTRYPOINT_LIMITS.fetch(
      "http://child/uncaught?n=4&codeSubRequests=3&tag=" + t)), "Error: " + SUBREQUESTS);
    assertEqual(await hits(env, t), 3);
    // WorkerCode says 100, getEntrypoint() says 5: 5.
    const t2 = tag();
    assertEqual(await rejection(env.ENTRYPOINT_LIMITS.fetch(
      "http://child/uncaught?n=6&codeSubRequests=100&tag=" + t2)), "Error: " + SUBREQUESTS);
    assertEqual(await hits(env, t2), 5);
  },
};

export const lowerOfTheTwoCpuLimitsIsUsed = {
  async test(ctrl, env) {
    // WorkerCode allows 5 s of CPU, getEntrypoint() 10 ms: stopped long before 5 s.
    const start = Date.now();
    assertEqual(await rejection(env.ENTRYPOINT_LIMITS.fetch("http://child/spin?codeCpuMs=5000")),
      "Error: " + CPU);
    const elapsed = Date.now() - start;
    assert(elapsed < 2500, "took " + elapsed + " ms");
  },
};

export const othersAreServedWhileAChildSpins = {
  async test(ctrl, env) {
    const spinners = Array.from({ length: 3 }, () =>
      rejection(env.ENTRYPOINT_LIMITS.fetch("http://child/spin?codeCpuMs=5000")));
    const bystander = env.CODE_LIMITS.fetch("http://child/?n=2&tag=" + tag()).then((r) => r.json());
    assertEqual(JSON.stringify(await bystander), "[200,200]");
    for (const result of await Promise.all(spinners)) assertEqual(result, "Error: " + CPU);
    const after = await env.ENTRYPOINT_LIMITS.fetch("http://child/?n=1&tag=" + tag());
    assertEqual(await after.text(), "entrypoint.fetch() resolved");
  },
};
