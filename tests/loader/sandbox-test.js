// Dynamic workers run untrusted code: nothing one does may leak into another or into the parent,
// and no misbehaviour may take the parent down. Each test that makes a child fail ends by
// checking that the parent can still load and run a new child.
import { assert, assertEqual, assertDeepEqual, assertRejects } from "assert.js";

const COMPAT_DATE = "2024-09-01";
const HELLO = `export default { fetch() { return new Response("hello"); } };`;
const COUNTER = `
  let count = 0;
  export default {
    fetch() {
      count++;
      return Response.json({ count });
    },
  };
`;

function workerCode(source, fields = {}) {
  return {
    compatibilityDate: COMPAT_DATE,
    mainModule: "main.js",
    modules: { "main.js": source },
    ...fields,
  };
}

async function getJson(fetcher) {
  const response = await fetcher.fetch("http://child/");
  const body = await response.text();
  assertEqual(response.status, 200, `status (body: ${body.slice(0, 300)})`);
  return JSON.parse(body);
}

async function assertStillWorking(env) {
  const fresh = env.LOADER.load(workerCode(HELLO));
  const response = await fresh.getEntrypoint().fetch("http://child/");
  assertEqual(await response.text(), "hello", "a new load() after the failure");
  const echo = await env.ECHO.fetch("http://echo/after");
  assertEqual((await echo.json()).who, "echo", "other services still answer");
}

// A misbehaving child may surface as a rejected call or as a 500; a success would mean the
// misbehaviour went unnoticed.
async function assertChildFailed(fetcher) {
  let response;
  try {
    response = await fetcher.fetch("http://child/");
  } catch (e) {
    assert(e instanceof Error, `rejected with a non-Error: ${e}`);
    return;
  }
  const body = await response.text();
  assertEqual(response.status, 500, `the child should have failed; it said ${body.slice(0, 200)}`);
}

// --- Isolation -----------------------------------------------------------------------------------

const PROBE = `
  export default {
    fetch() {
      return Response.json({
        parentGlobal: typeof globalThis.parentMarker,
        parentArrayProto: typeof [].fromParent,
        childGlobal: typeof globalThis.leaked,
        childArrayProto: typeof [].leaked,
        childObjectProto: typeof ({}).polluted,
        viaEnvObject: typeof ({}).viaEnv,
        json: JSON.stringify({ a: 1 }),
      });
    },
  };
`;

export const isolationEnvOnlyWhatWasGiven = {
  async test(ctrl, env) {
    const source = `
      import { env as moduleEnv } from "cloudflare:workers";
      export default {
        fetch(request, env) {
          return Response.json({ keys: Object.keys(env).sort(), same: moduleEnv === env });
        },
      };
    `;
    // The parent's own bindings (LOADER, ECHO) never leak into a child.
    assertDeepEqual(await getJson(env.LOADER.load(workerCode(source)).getEntrypoint()),
      { keys: [], same: true });
    assertDeepEqual(
      await getJson(env.LOADER.load(workerCode(source, { env: { ONLY: 1 } })).getEntrypoint()),
      { keys: ["ONLY"], same: true });
  },
};

export const isolationGlobalsAndPrototypes = {
  async test(ctrl, env) {
    globalThis.parentMarker = "parent";
    Object.defineProperty(Array.prototype, "fromParent", { value: 1, configurable: true });
    try {
      const polluter = env.LOADER.load(workerCode(`
        globalThis.leaked = "child global";
        // Non-enumerable, so that the child's own built-ins keep working.
        Object.defineProperty(Array.prototype, "leaked", { value: 1, configurable: true });
        Object.defineProperty(Object.prototype, "polluted", { value: 1, configurable: true });
        JSON.stringify = () => "hijacked";
        export default {
          fetch(request, env) {
            // A cloned env object must be made of the child's intrinsics, not the parent's.
            const proto = Object.getPrototypeOf(env.OBJ);
            Object.defineProperty(proto, "viaEnv", { value: 1, configurable: true });
            return new Response("polluted");
          },
        };
      `, { env: { OBJ: {} } }));
      assertEqual(await (await polluter.getEntrypoint().fetch("http://child/")).text(), "polluted");

      const expected = {
        parentGlobal: "undefined", parentArrayProto: "undefined",
        childGlobal: "undefined", childArrayProto: "undefined", childObjectProto: "undefined",
        viaEnvObject: "undefined", json: '{"a":1}',
      };
      const probe = env.LOADER.load(workerCode(PROBE));
      assertDeepEqual(await getJson(probe.getEntrypoint()), expected, "another child");
      // The parent sees its own marker and prototype, and none of the child's changes.
      assertDeepEqual({
        parentGlobal: typeof globalThis.parentMarker, parentArrayProto: typeof [].fromParent,
        childGlobal: typeof globalThis.leaked, childArrayProto: typeof [].leaked,
        childObjectProto: typeof ({}).polluted, viaEnvObject: typeof ({}).viaEnv,
        json: JSON.stringify({ a: 1 }),
      }, { ...expected, parentGlobal: "string", parentArrayProto: "number" }, "the parent");
    } finally {
      delete globalThis.parentMarker;
      delete Array.prototype.fromParent;
    }
  },
};

export const isolationModuleState = {
  async test(ctrl, env) {
    const first = env.LOADER.load(workerCode(COUNTER));
    await getJson(first.getEntrypoint());
    await getJson(first.getEntrypoint());
    const second = env.LOADER.load(workerCode(COUNTER));
    assertEqual((await getJson(second.getEntrypoint())).count, 1, "load() never reuses a worker");
  },
};

export const isolationNoParentModules = {
  async test(ctrl, env) {
    // The parent's modules (assert.js here) are not in the child's module registry.
    const worker = env.LOADER.load(workerCode(`import { assert } from "assert.js"; ${HELLO}`));
    const error = await assertRejects(worker.getEntrypoint().fetch("http://child/"), Error,
      /^Failed to start Worker: /);
    assert(error.message.includes("assert.js"), error.message);
  },
};

export const isolationNoCodeGeneration = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      export default {
        fetch() {
          const attempt = (fn) => {
            try {
              fn();
              return "ran";
            } catch (e) {
              return e instanceof EvalError ? "EvalError" : e.name;
            }
          };
          return Response.json([attempt(() => eval("1")), attempt(() => new Function("x"))]);
        },
      };
    `));
    assertDeepEqual(await getJson(worker.getEntrypoint()), ["EvalError", "EvalError"]);
  },
};

// --- CPU time ------------------------------------------------------------------------------------

// Bounded, so that a limit that is not applied shows up as a 200 rather than a hung test.
const BUSY = `
  export default {
    fetch() {
      let x = 0;
      for (let i = 0; i < 1e9; i++) x = (x + i) | 0;
      return new Response("finished: " + x);
    },
  };
`;

export const cpuLimitStopsInfiniteLoop = {
  async test(ctrl, env) {
    // A get() id, because state is only promised to persist for those.
    const bystander = env.LOADER.get("bystander", () => workerCode(COUNTER));
    assertEqual((await getJson(bystander.getEntrypoint())).count, 1);
    const worker = env.LOADER.load(workerCode(`
      export const quick = { fetch() { return new Response("quick"); } };
      export default {
        fetch() {
          for (;;) {}
        },
      };
    `, { limits: { cpuMs: 50 } }));
    // A light request fits in the budget, so the failure below is the loop's doing.
    const quick = await worker.getEntrypoint("quick").fetch("http://child/");
    assertEqual(await quick.text(), "quick");
    await assertRejects(worker.getEntrypoint().fetch("http://child/"), Error,
      "exceeded CPU time limit");
    assertEqual((await getJson(bystander.getEntrypoint())).count, 2,
      "another child keeps running with its state");
    await assertStillWorking(env);
  },
};

// Every way into a worker applies its limits: a method reached through the worker's own
// ctx.exports, and a callback it handed out by reference, are bounded like its fetch().
const SELF_CALLS = `
  import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";
  export class Spinner extends WorkerEntrypoint {
    spin() { for (;;) {} }
  }
  class Trap extends RpcTarget {
    spin() { for (;;) {} }
  }
  export default class extends WorkerEntrypoint {
    async viaExports() {
      await this.ctx.exports.Spinner.spin();
      return "the loop ended";
    }
    callback() { return () => { for (;;) {} }; }
    target() { return new Trap(); }
  }
`;

export const cpuLimitAppliesThroughCtxExports = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(SELF_CALLS, { limits: { cpuMs: 50 } }));
    await assertRejects(worker.getEntrypoint().viaExports(), Error, "exceeded CPU time limit");
    await assertStillWorking(env);
  },
};

export const cpuLimitAppliesToCallbacksHandedOut = {
  async test(ctrl, env) {
    const first = env.LOADER.load(workerCode(SELF_CALLS, { limits: { cpuMs: 50 } }));
    const callback = await first.getEntrypoint().callback();
    await assertRejects(callback(), Error, "exceeded CPU time limit");
    const second = env.LOADER.load(workerCode(SELF_CALLS, { limits: { cpuMs: 50 } }));
    const target = await second.getEntrypoint().target();
    await assertRejects(target.spin(), Error, "exceeded CPU time limit");
    await assertStillWorking(env);
  },
};

// A ctx.exports stub can outlive the dynamic worker that made it (its parent let go of the
// worker, and garbage collection freed it): using it must fail as an error, not crash the
// daemon. The -gc run of this config collects after every entry, so the worker is gone there.
export const aCtxExportsStubOutlivingItsWorker = {
  async test(ctrl, env) {
    let stub = await (async () => {
      const worker = env.LOADER.load(workerCode(`
        import { WorkerEntrypoint } from "cloudflare:workers";
        export class Echo extends WorkerEntrypoint {
          ping() { return "pong"; }
        }
        export default class extends WorkerEntrypoint {
          give() { return this.ctx.exports.Echo; }
        }
      `));
      return worker.getEntrypoint().give();
    })();
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      try {
        assertEqual(await stub.ping(), "pong");
      } catch (e) {
        assert(e instanceof Error, String(e));
        assert(/no longer running|stub/i.test(e.message), e.message);
      }
    }
    await assertStillWorking(env);
  },
};

export const cpuLimitStopsMicrotaskLoop = {
  async test(ctrl, env) {
    // Never yields to the event loop, so only a limit enforced while JavaScript runs stops it.
    const worker = env.LOADER.load(workerCode(`
      export default {
        async fetch() {
          for (;;) await null;
        },
      };
    `, { limits: { cpuMs: 50 } }));
    await assertRejects(worker.getEntrypoint().fetch("http://child/"), Error,
      "exceeded CPU time limit");
    await assertStillWorking(env);
  },
};

export const cpuLimitLowerWins = {
  async test(ctrl, env) {
    const generousCode = env.LOADER.load(workerCode(BUSY, { limits: { cpuMs: 60000 } }));
    await assertRejects(
      generousCode.getEntrypoint(null, { limits: { cpuMs: 50 } }).fetch("http://child/"),
      Error, "exceeded CPU time limit", "getEntrypoint's limit is the lower one");
    const strictCode = env.LOADER.load(workerCode(BUSY, { limits: { cpuMs: 50 } }));
    await assertRejects(
      strictCode.getEntrypoint(null, { limits: { cpuMs: 60000 } }).fetch("http://child/"),
      Error, "exceeded CPU time limit", "WorkerCode's limit is the lower one");
    await assertStillWorking(env);
  },
};

export const cpuLimitAppliesToStartup = {
  async test(ctrl, env) {
    // Module evaluation is the child's code too; it must not hold the parent's thread forever.
    const worker = env.LOADER.load(workerCode(`for (;;) {} ${HELLO}`, { limits: { cpuMs: 50 } }));
    await assertChildFailed(worker.getEntrypoint());
    await assertStillWorking(env);
  },
};

// --- Subrequests ---------------------------------------------------------------------------------

// Reports how many global fetch()es succeeded before one failed, and that failure.
const SUBREQUESTS = `
  export default {
    async fetch() {
      let done = 0;
      try {
        for (; done < 6; done++) await (await fetch("http://anywhere.example/sub")).text();
        return Response.json({ done, error: null });
      } catch (e) {
        return Response.json({ done, error: String(e.message), isError: e instanceof Error });
      }
    },
  };
`;

export const subrequestLimitOnCode = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(SUBREQUESTS, { limits: { subRequests: 2 } }));
    const result = await getJson(worker.getEntrypoint());
    assertEqual(result.done, 2);
    assert(result.isError, "the failure is an Error");
    assert(result.error.includes("Too many subrequests"), result.error);
    // The budget is per invocation, so the next request gets all of it again.
    assertEqual((await getJson(worker.getEntrypoint())).done, 2);
    await assertStillWorking(env);
  },
};

export const subrequestLimitLowerWins = {
  async test(ctrl, env) {
    const generousCode = env.LOADER.load(workerCode(SUBREQUESTS, { limits: { subRequests: 10 } }));
    assertDeepEqual(await getJson(generousCode.getEntrypoint()), { done: 6, error: null },
      "under the limit nothing fails");
    const viaEntrypoint = generousCode.getEntrypoint(null, { limits: { subRequests: 3 } });
    assertEqual((await getJson(viaEntrypoint)).done, 3, "getEntrypoint's limit is the lower one");
    const strictCode = env.LOADER.load(workerCode(SUBREQUESTS, { limits: { subRequests: 3 } }));
    const viaCode = strictCode.getEntrypoint(null, { limits: { subRequests: 10 } });
    assertEqual((await getJson(viaCode)).done, 3, "WorkerCode's limit is the lower one");
  },
};

// --- Memory, stack, log --------------------------------------------------------------------------

export const memoryHoardIsStopped = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      export default {
        fetch() {
          const hoard = [];
          // Fresh arrays rather than "x".repeat(n), which builds a rope of shared halves and
          // barely grows the heap. The cap (about 1 GiB) turns a missing heap limit into a
          // failed test instead of an exhausted machine.
          for (let i = 0; i < 1024; i++) hoard.push(new Array(1 << 17).fill(i));
          return new Response("kept " + hoard.length + " chunks");
        },
      };
    `));
    await assertChildFailed(worker.getEntrypoint());
    await assertStillWorking(env);
  },
};

const RECURSE = "function down(n) { return down(n + 1) + 1; }";

// Natives that make ArrayBuffers (TextEncoder, body reads, structuredClone) must meet the same
// budget as JavaScript's `new ArrayBuffer`: a RangeError in the worker. V8's own ArrayBuffer::New
// ends the whole process when the allocator refuses.
export const nativeBuffersPastTheBudgetAreRangeErrors = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      export default {
        async fetch() {
          const keep = [];
          try {
            for (;;) keep.push(new ArrayBuffer(1 << 20));
          } catch {}
          try {
            for (;;) keep.push(new ArrayBuffer(1 << 10));
          } catch {}
          const outcome = (fn) => {
            try {
              fn();
              return "no error";
            } catch (e) {
              return e.name;
            }
          };
          return Response.json({
            encode: outcome(() => new TextEncoder().encode("x".repeat(1 << 16))),
            clone: outcome(() => structuredClone(new Uint8Array(1 << 16), {
              transfer: [new Uint8Array(1 << 16).buffer] })),
            held: keep.length,
          });
        },
      };
    `));
    const result = await getJson(worker.getEntrypoint());
    assertEqual(result.encode, "RangeError");
    assert(result.held > 100, JSON.stringify(result));
    await assertStillWorking(env);
  },
};

export const recursionCaughtInChild = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      ${RECURSE}
      export default {
        fetch() {
          try {
            return Response.json({ result: down(0) });
          } catch (e) {
            return Response.json({ name: e.name, isRangeError: e instanceof RangeError });
          }
        },
      };
    `));
    // Twice: a caught stack overflow leaves the child usable.
    for (let i = 0; i < 2; i++) {
      assertDeepEqual(await getJson(worker.getEntrypoint()),
        { name: "RangeError", isRangeError: true });
    }
  },
};

export const recursionUncaught = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      ${RECURSE}
      export default { fetch() { return down(0); } };
    `));
    await assertChildFailed(worker.getEntrypoint());
    await assertStillWorking(env);
  },
};

export const logFloodIsContained = {
  async test(ctrl, env) {
    // Short lines: the volume of calls is what a flood is about, and the test log stays small.
    const worker = env.LOADER.load(workerCode(`
      export default {
        fetch() {
          for (let i = 0; ; i++) console.log("flood", i);
        },
      };
    `, { limits: { cpuMs: 100 } }));
    await assertChildFailed(worker.getEntrypoint());
    await assertStillWorking(env);
  },
};
