// Tests for the Dynamic Workers Starter (docs lines 1383-1422) and the Dynamic Workers Playground
// fragments (docs lines 1164-1192 and 1245-1261). Each example is a separate service; these tests
// call it through a service binding the way its client would.
import { assert, assertDeepEqual, assertEqual, assertRejects } from "assert.js";

const HELLO = `export default { fetch() { return new Response("hi"); } };`;

function run(starter, body) {
  return starter.fetch("http://starter/api/run", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

// The error a promise rejects with (the test fails if it resolves).
async function rejection(promise) {
  let value;
  try {
    value = await promise;
  } catch (e) {
    return e;
  }
  throw new Error(`expected a rejection, got ${value instanceof Response ? value.status : value}`);
}

function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function text(response, status = 200) {
  const body = await response.text();
  assertEqual(response.status, status, `status (body: ${body.slice(0, 300)})`);
  return body;
}

// ---- The Starter, verbatim (starter.js) ----
// The docs say /api/run "loads it into a sandboxed Dynamic Worker, and returns the result", but
// the code reads the body with request.json() and then forwards that same, used, request to the
// Dynamic Worker: new Request() of a used body throws, in workerd as in kiln, so every request
// fails before the Dynamic Worker is reached. These tests pin that behaviour (workerd's).

export const starterForwardsAUsedRequest = {
  async test(ctrl, env) {
    const e = await rejection(run(env.STARTER, { code: HELLO }));
    assertEqual(e.name, "TypeError", String(e));
    assertEqual(e.message, "Cannot reconstruct a Request with a used body.");
  },
};

export const starterRejectsABodyThatIsNotJson = {
  async test(ctrl, env) {
    for (const body of ["{not json", ""]) {
      const e = await rejection(run(env.STARTER, body));
      assertEqual(e.name, "SyntaxError", `${JSON.stringify(body)}: ${e}`);
    }
  },
};

export const starterRejectsMissingCode = {
  async test(ctrl, env) {
    // No `code`: modules {"worker.js": undefined} is not a valid WorkerCode.
    const e = await rejection(run(env.STARTER, { source: HELLO }));
    assertEqual(e.name, "TypeError", String(e));
  },
};

export const starterIsNotHeldUpByHostileCode = {
  async test(ctrl, env) {
    // Code that never finishes starting, or does not parse: the request still fails at once.
    for (const code of [`while (true) {}\nexport default {};`, `export default {`]) {
      const e = await within(10000, rejection(run(env.STARTER, { code })), code);
      assertEqual(e.message, "Cannot reconstruct a Request with a used body.", code);
    }
  },
};

export const starterUnderConcurrentRequests = {
  async test(ctrl, env) {
    const errors = await within(20000, Promise.all(Array.from({ length: 25 }, (_, i) =>
      rejection(run(env.STARTER, { code: i % 5 ? HELLO : `while (true) {}` })))), "25 requests");
    for (const e of errors) assertEqual(e.message, "Cannot reconstruct a Request with a used body.");
    // And the Starter still answers afterwards.
    const e = await within(5000, rejection(run(env.STARTER, { code: HELLO })), "after");
    assertEqual(e.name, "TypeError");
  },
};

// ---- The Starter as the docs describe it (starter-intended.js: body read from a clone) ----

export const intendedStarterReturnsTheDynamicWorkersResponse = {
  async test(ctrl, env) {
    assertEqual(await text(await run(env.STARTER_INTENDED, { code: HELLO })), "hi");
    const response = await run(env.STARTER_INTENDED, { code: `export default { fetch() {
      return new Response("made", { status: 201, headers: { "x-child": "yes" } });
    } };` });
    assertEqual(await text(response, 201), "made");
    assertEqual(response.headers.get("x-child"), "yes");
  },
};

export const intendedStarterForwardsTheRequest = {
  async test(ctrl, env) {
    const code = `export default { async fetch(request) {
      return Response.json({ method: request.method, url: request.url, body: await request.text(),
        type: request.headers.get("content-type") });
    } };`;
    const seen = JSON.parse(await text(await run(env.STARTER_INTENDED, { code })));
    assertDeepEqual(seen, {
      method: "POST", url: "http://starter/api/run", body: JSON.stringify({ code }),
      type: "application/json",
    });
  },
};

export const intendedStarterBlocksOutboundNetwork = {
  async test(ctrl, env) {
    // globalOutbound: null: the Dynamic Worker's fetch() and connect() are refused.
    const code = `export default { async fetch() {
      try {
        await fetch("http://example.com/");
        return new Response("reached the network");
      } catch (e) {
        return new Response(e.name + ": " + e.message);
      }
    } };`;
    const body = await text(await run(env.STARTER_INTENDED, { code }));
    assert(body.startsWith("Error: ") || body.startsWith("TypeError: "), body);
    assert(body.includes("not permitted to access the internet"), body);
  },
};

export const intendedStarterLoadsAFreshWorkerEachTime = {
  async test(ctrl, env) {
    const code = `let count = 0; export default { fetch() { return new Response(String(++count)); } };`;
    for (let i = 0; i < 3; i++) assertEqual(await text(await run(env.STARTER_INTENDED, { code })), "1");
  },
};

export const intendedStarterStreamsTheBody = {
  async test(ctrl, env) {
    const code = `export default { fetch() {
      return new Response(new ReadableStream({
        start(controller) {
          for (const part of ["one ", "two ", "three"]) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      }));
    } };`;
    assertEqual(await text(await run(env.STARTER_INTENDED, { code })), "one two three");
  },
};

export const intendedStarterSurvivesHostileCode = {
  async test(ctrl, env) {
    // Each fails by itself, promptly, and the Starter goes on answering.
    const hostile = {
      throws: `export default { fetch() { throw new Error("boom"); } };`,
      neverAnswers: `export default { fetch() { return new Promise(() => {}); } };`,
      startupLoop: `while (true) {}\nexport default { fetch() { return new Response("no"); } };`,
      syntaxError: `export default {`,
      noFetch: `export default {};`,
    };
    for (const [name, code] of Object.entries(hostile)) {
      const e = await within(15000, rejection(run(env.STARTER_INTENDED, { code })), name);
      assert(e instanceof Error, `${name}: ${e}`);
      assertEqual(await text(await run(env.STARTER_INTENDED, { code: HELLO })), "hi", name);
    }
  },
};

export const intendedStarterUnderConcurrentRequests = {
  async test(ctrl, env) {
    const answers = await within(30000, Promise.all(Array.from({ length: 30 }, async (_, i) => {
      const code = i % 3 === 2
        ? `export default { fetch() { return new Promise(() => {}); } };`
        : `export default { fetch() { return new Response("child ${i}"); } };`;
      try {
        return await (await run(env.STARTER_INTENDED, { code })).text();
      } catch (e) {
        return "rejected";
      }
    })), "30 requests");
    answers.forEach((answer, i) => assertEqual(answer, i % 3 === 2 ? "rejected" : `child ${i}`));
  },
};

// ---- The Playground: caching with get() and logs through a Tail Worker ----

// Tails are delivered after the event, in the background: poll for them.
async function waitForLogs(playground, workerId, count) {
  for (let i = 0; i < 200; i++) {
    const logs = await (await playground.fetch(`http://playground/logs?id=${workerId}`)).json();
    if (logs.length >= count) return logs;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${count} logs from ${workerId}`);
}

async function builds(playground) {
  return (await (await playground.fetch("http://playground/builds")).json()).total;
}

function runIn(playground, workerId, source) {
  return playground.fetch(`http://playground/run?id=${workerId}`, {
    headers: { "x-source": encodeURIComponent(source) },
  });
}

function version(name) {
  return `let runs = 0;
    export default {
      fetch() {
        runs++;
        console.log("run", runs, "of ${name}");
        return Response.json({ version: "${name}", runs });
      },
    };`;
}

export const playgroundBuildsOnlyOnACacheMiss = {
  async test(ctrl, env) {
    const id = "playground-" + crypto.randomUUID();
    const before = await builds(env.PLAYGROUND_CACHE);
    const first = JSON.parse(await text(await runIn(env.PLAYGROUND_CACHE, id, version("A"))));
    assertDeepEqual(first, { version: "A", runs: 1 });
    assertEqual(await builds(env.PLAYGROUND_CACHE), before + 1);
    // Same id: the existing Worker answers (its state kept); the callback, so the build, is skipped.
    const second = JSON.parse(await text(await runIn(env.PLAYGROUND_CACHE, id, version("B"))));
    assertDeepEqual(second, { version: "A", runs: 2 });
    assertEqual(await builds(env.PLAYGROUND_CACHE), before + 1);
    // Another id: a miss.
    const other = JSON.parse(await text(
      await runIn(env.PLAYGROUND_CACHE, id + "-other", version("B"))));
    assertDeepEqual(other, { version: "B", runs: 1 });
    assertEqual(await builds(env.PLAYGROUND_CACHE), before + 2);
  },
};

export const playgroundTailForwardsLogsToTheLogSession = {
  async test(ctrl, env) {
    const id = "playground-" + crypto.randomUUID();
    await text(await runIn(env.PLAYGROUND_CACHE, id, version("A")));
    await text(await runIn(env.PLAYGROUND_CACHE, id, version("A")));
    const logs = await waitForLogs(env.PLAYGROUND_CACHE, id, 2);
    assertDeepEqual(logs, [
      { workerId: id, level: "log", message: ["run", 1, "of A"] },
      { workerId: id, level: "log", message: ["run", 2, "of A"] },
    ]);
  },
};

export const playgroundTailsFragment = {
  async test(ctrl, env) {
    const id = "tails-" + crypto.randomUUID();
    const source = `export default {
      fetch(request) {
        console.info("handling", new URL(request.url).pathname);
        console.error("and complaining");
        return new Response("tailed");
      },
    };`;
    assertEqual(await text(await runIn(env.PLAYGROUND_TAILS, id, source)), "tailed");
    const logs = await waitForLogs(env.PLAYGROUND_TAILS, id, 2);
    assertDeepEqual(logs, [
      { workerId: id, level: "info", message: ["handling", "/run"] },
      { workerId: id, level: "error", message: ["and complaining"] },
    ]);
    // Each workerId has its own Tail Worker props and LogSession.
    const otherId = id + "-other";
    await text(await runIn(env.PLAYGROUND_TAILS, otherId, `export default {
      fetch() { console.log("other"); return new Response("ok"); } };`));
    const otherLogs = await waitForLogs(env.PLAYGROUND_TAILS, otherId, 1);
    assertDeepEqual(otherLogs, [{ workerId: otherId, level: "log", message: ["other"] }]);
    assertEqual((await waitForLogs(env.PLAYGROUND_TAILS, id, 2)).length, 2);
  },
};

export const playgroundChildCannotReachTheTailOrItsSession = {
  async test(ctrl, env) {
    // The Dynamic Worker gets no env: the LogSession namespace and LOADER stay the host's.
    const id = "nosy-" + crypto.randomUUID();
    const seen = JSON.parse(await text(await runIn(env.PLAYGROUND_TAILS, id, `export default {
      fetch(request, env, ctx) {
        return Response.json({ env: Object.keys(env ?? {}), exports: Object.keys(ctx.exports ?? {}) });
      },
    };`)));
    assertDeepEqual(seen.env, []);
    assert(!seen.exports.includes("DynamicWorkerTail") && !seen.exports.includes("LogSession"),
      JSON.stringify(seen));
  },
};
