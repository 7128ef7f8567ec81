// Worker Loader API as documented for Cloudflare's Dynamic Workers, plus kiln's stated behaviour
// for validation and startup errors. Children report what they observed as JSON, because values
// from their isolate (errors, prototypes) cannot be compared directly in the parent.
import {
  assert, assertEqual, assertNotEqual, assertDeepEqual, assertThrows, assertRejects,
} from "assert.js";
import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";

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
// Tries the global fetch() and reports the outcome instead of letting an error become a 500.
const OUTBOUND_PROBE = `
  export default {
    async fetch() {
      try {
        const response = await fetch("http://anywhere.example/probe", {
          headers: { "x-from-child": "yes" },
        });
        return Response.json({ ok: true, data: await response.json() });
      } catch (e) {
        return Response.json({
          ok: false, name: e.name, isTypeError: e instanceof TypeError, message: String(e.message),
        });
      }
    },
  };
`;

// A WorkerCode whose main module is `source`; `modules` adds modules, the rest adds fields.
function workerCode(source, { modules = {}, ...fields } = {}) {
  return {
    compatibilityDate: COMPAT_DATE,
    mainModule: "main.js",
    modules: { "main.js": source, ...modules },
    ...fields,
  };
}

function without(code, field) {
  const copy = { ...code };
  delete copy[field];
  return copy;
}

async function getJson(fetcher, input = "http://child/", init = undefined) {
  const response = await fetcher.fetch(input, init);
  const body = await response.text();
  assertEqual(response.status, 200, `status (body: ${body.slice(0, 300)})`);
  return JSON.parse(body);
}

async function assertStartFailure(fetcher, cause = "") {
  const error = await assertRejects(
    fetcher.fetch("http://child/"), Error, /^Failed to start Worker: /);
  assert(error.message.includes(cause), `${JSON.stringify(error.message)} should name ${cause}`);
}

// Reached from children through env and globalOutbound; the props stay on this side.
export class Greeter extends WorkerEntrypoint {
  fetch() {
    const name = (this.ctx.props && this.ctx.props.name) || "nobody";
    return new Response(`Hello, ${name}!`);
  }
}

export class HttpGateway extends WorkerEntrypoint {
  async fetch(request) {
    return Response.json({
      via: "gateway",
      tenant: this.ctx.props.tenant,
      method: request.method,
      url: request.url,
      header: request.headers.get("x-from-child"),
      body: request.body ? await request.text() : "",
    });
  }
}

// --- load() --------------------------------------------------------------------------------------

export const loadRunsDefaultFetch = {
  async test(ctrl, env) {
    const worker = env.LOADER.load({
      compatibilityDate: COMPAT_DATE,
      mainModule: "src/index.js",
      modules: {
        "src/index.js": `
          export default {
            fetch(request) { return new Response("Hello from a dynamic Worker"); },
          };
        `,
      },
      globalOutbound: null,
    });
    assert(!(worker instanceof Promise), "load() returns the stub itself, not a promise");
    assertEqual(typeof worker.getEntrypoint, "function");
    const response = await worker.getEntrypoint().fetch("http://child/");
    assertEqual(response.status, 200);
    assertEqual(await response.text(), "Hello from a dynamic Worker");
  },
};

export const loadForwardsRequestAndResponse = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      export default {
        async fetch(request) {
          const seen = { method: request.method, url: request.url,
            header: request.headers.get("x-test"), body: await request.text() };
          return new Response(JSON.stringify(seen), {
            status: 418, headers: { "x-child": "yes" },
          });
        },
      };
    `));
    const response = await worker.getEntrypoint().fetch(new Request(
      "https://child.example/path?q=1",
      { method: "POST", headers: { "x-test": "sent" }, body: "request body" }));
    assertEqual(response.status, 418);
    assertEqual(response.headers.get("x-child"), "yes");
    assertDeepEqual(await response.json(), {
      method: "POST", url: "https://child.example/path?q=1", header: "sent", body: "request body",
    });
  },
};

export const loadModuleTypes = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      import { twice } from "./helpers";
      import legacy from "./legacy.cjs";
      import note from "./note.txt";
      import bytes from "./bytes.bin";
      import settings from "./settings.json";
      import plain from "./lib/plain.js";
      export default {
        fetch() {
          return Response.json({
            esm: twice(21), cjs: legacy, text: note, json: settings, plain,
            isBuffer: bytes instanceof ArrayBuffer, bytes: Array.from(new Uint8Array(bytes)),
          });
        },
      };
    `, {
      modules: {
        // An object gives the type, so the name needs no extension.
        "helpers": { js: "export function twice(n) { return n * 2; }" },
        "legacy.cjs": {
          cjs: `module.exports = { kind: "commonjs", answer: require("./settings.json").answer };`,
        },
        "note.txt": { text: "a text module" },
        "bytes.bin": { data: new Uint8Array([1, 2, 255]).buffer },
        "settings.json": { json: { answer: 42, list: ["a", { b: null }] } },
        "lib/plain.js": `export default "a plain string is an ES module";`,
      },
    }));
    assertDeepEqual(await getJson(worker.getEntrypoint()), {
      esm: 42, cjs: { kind: "commonjs", answer: 42 }, text: "a text module",
      json: { answer: 42, list: ["a", { b: null }] }, plain: "a plain string is an ES module",
      isBuffer: true, bytes: [1, 2, 255],
    });
  },
};

// --- WorkerCode validation: load() throws at once ------------------------------------------------

export const validateRequiredFields = {
  test(ctrl, env) {
    const good = workerCode(HELLO);
    assertThrows(() => env.LOADER.load(undefined), TypeError);
    assertThrows(() => env.LOADER.load(without(good, "compatibilityDate")), TypeError,
      "compatibilityDate");
    assertThrows(() => env.LOADER.load({ ...good, compatibilityDate: 20240901 }), TypeError,
      "compatibilityDate");
    assertThrows(() => env.LOADER.load(without(good, "mainModule")), TypeError, "mainModule");
    assertThrows(() => env.LOADER.load({ ...good, mainModule: "index.js" }), TypeError,
      "mainModule");
    assertThrows(() => env.LOADER.load(without(good, "modules")), TypeError, /modules/i);
  },
};

export const validateModuleValues = {
  test(ctrl, env) {
    const bad = [
      ["number.js", 42],
      ["null.js", null],
      ["two-kinds.js", { js: "export {};", text: "also text" }],
      ["no-kind.js", {}],
      ["unknown-kind.js", { wasm: "AGFzbQEAAAA=" }],
      // The docs: a plain string needs a name saying its type (.js, or the unsupported .py).
      ["helper", "export const x = 1;"],
    ];
    for (const [name, value] of bad) {
      assertThrows(() => env.LOADER.load(workerCode(HELLO, { modules: { [name]: value } })),
        TypeError, name, `module ${name}`);
    }
  },
};

export const validateUnsupportedLanguages = {
  test(ctrl, env) {
    const unsupported = /unsupported|not supported/i;
    // The docs' Python example, flag included: kiln has no Python runtime.
    assertThrows(() => env.LOADER.load({
      compatibilityDate: COMPAT_DATE,
      compatibilityFlags: ["python_workers"],
      mainModule: "worker.py",
      modules: { "worker.py": "from workers import Response\ndef on_fetch(request):\n  pass\n" },
    }), TypeError, unsupported, "worker.py");
    assertThrows(() => env.LOADER.load(workerCode(HELLO, { modules: { "tool": { py: "x = 1" } } })),
      TypeError, unsupported, "{py}");
    for (const name of ["index.ts", "App.tsx", "view.jsx"]) {
      assertThrows(() => env.LOADER.load(workerCode(HELLO, { modules: { [name]: HELLO } })),
        TypeError, unsupported, name);
    }
  },
};

export const validateGlobalOutbound = {
  test(ctrl, env) {
    for (const value of [42, "echo", {}]) {
      assertThrows(() => env.LOADER.load(workerCode(HELLO, { globalOutbound: value })), TypeError,
        "globalOutbound", `globalOutbound: ${JSON.stringify(value)}`);
    }
  },
};

// --- Failures while starting the worker ----------------------------------------------------------

export const startFailureSyntaxError = {
  async test(ctrl, env) {
    // Only the shape is checked by load(); the code is compiled when the worker starts.
    const worker = env.LOADER.load(workerCode("export default { fetch( {"));
    await assertStartFailure(worker.getEntrypoint(), "SyntaxError");
  },
};

export const startFailureInImportedModule = {
  async test(ctrl, env) {
    const brokenLib = env.LOADER.load(workerCode(`import "./lib.js"; ${HELLO}`, {
      modules: { "lib.js": "export const = 1;" },
    }));
    await assertStartFailure(brokenLib.getEntrypoint(), "SyntaxError");
    const missingLib = env.LOADER.load(workerCode(`import "./missing.js"; ${HELLO}`));
    await assertStartFailure(missingLib.getEntrypoint(), "missing.js");
  },
};

export const startFailureThrowAtEvaluation = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      export const named = { fetch() { return new Response("unreachable"); } };
      throw new Error("kaboom at startup");
    `));
    // Every call fails the same way, not only the first one.
    await assertStartFailure(worker.getEntrypoint(), "kaboom at startup");
    await assertStartFailure(worker.getEntrypoint(), "kaboom at startup");
    await assertStartFailure(worker.getEntrypoint("named"), "kaboom at startup");
  },
};

// As workerd: the callback's own error (type and message) reaches the callers, and stays cached
// with the id (the callback is not run again).
export const startFailureFromGetCallback = {
  async test(ctrl, env) {
    let calls = 0;
    const rejecting = async () => {
      calls++;
      throw new RangeError("code storage unavailable");
    };
    for (let i = 0; i < 2; i++) {
      await assertRejects(env.LOADER.get("cb-rejects", rejecting).getEntrypoint()
        .fetch("http://child/"), RangeError, "code storage unavailable");
    }
    assertEqual(calls, 1, "the failure is cached");
    const thrower = env.LOADER.get("cb-throws", () => { throw new Error("sync failure"); });
    await assertRejects(thrower.getEntrypoint().fetch("http://child/"), Error, "sync failure");
    // get() cannot validate synchronously; load()'s checks surface on the calls instead.
    const noDate = env.LOADER.get("cb-no-date",
      () => without(workerCode(HELLO), "compatibilityDate"));
    await assertRejects(noDate.getEntrypoint().fetch("http://child/"), TypeError,
      "WorkerCode.compatibilityDate is required");
    await assertRejects(env.LOADER.get("cb-number", () => 42).getEntrypoint()
      .fetch("http://child/"), TypeError, "WorkerCode must be an object, got a number.");
    await assertRejects(env.LOADER.get("cb-nothing", async () => undefined).getEntrypoint()
      .fetch("http://child/"), TypeError, "WorkerCode must be an object, got undefined.");
  },
};

// A module that throws as it loads: the start fails, and (as workerd) stays failed for that id.
export const startFailureOfTheCodeIsCached = {
  async test(ctrl, env) {
    let calls = 0;
    const code = () => {
      calls++;
      return workerCode(`throw new Error("top-level failure");`);
    };
    for (let i = 0; i < 2; i++) {
      await assertStartFailure(env.LOADER.get("throws-at-load", code).getEntrypoint(),
        "top-level failure");
    }
    assertEqual(calls, 1);
  },
};

// --- Entrypoints ---------------------------------------------------------------------------------

const ENTRYPOINTS = `
  import { WorkerEntrypoint } from "cloudflare:workers";
  export default class extends WorkerEntrypoint {
    fetch() { return Response.json({ entry: "default", props: this.ctx.props }); }
  }
  export class Admin extends WorkerEntrypoint {
    fetch() { return Response.json({ entry: "Admin", props: this.ctx.props }); }
  }
  export const plain = {
    fetch(request) {
      return Response.json({ entry: "plain", path: new URL(request.url).pathname });
    },
  };
`;

export const entrypointNamed = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(ENTRYPOINTS));
    assertEqual((await getJson(worker.getEntrypoint())).entry, "default");
    assertEqual((await getJson(worker.getEntrypoint("Admin"))).entry, "Admin");
    assertDeepEqual(await getJson(worker.getEntrypoint("plain"), "http://child/p"),
      { entry: "plain", path: "/p" });
  },
};

export const entrypointUnknownName = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(ENTRYPOINTS));
    // getEntrypoint() itself cannot know yet (the worker may not have started); the call fails.
    const missing = worker.getEntrypoint("Nope");
    await assertRejects(missing.fetch("http://child/"), Error,
      "Worker has no such entrypoint: Nope");
    // The worker itself is fine.
    assertEqual((await getJson(worker.getEntrypoint("Admin"))).entry, "Admin");
  },
};

export const entrypointProps = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(ENTRYPOINTS));
    const viaNull = await getJson(worker.getEntrypoint(null, { props: { tenant: "t1" } }));
    assertDeepEqual(viaNull, { entry: "default", props: { tenant: "t1" } });
    const viaUndefined =
      await getJson(worker.getEntrypoint(undefined, { props: { tenant: "t2" } }));
    assertDeepEqual(viaUndefined, { entry: "default", props: { tenant: "t2" } });
    // Props belong to the entrypoint handle, not to the worker.
    const admin = await getJson(worker.getEntrypoint("Admin", { props: { role: "root", n: [1] } }));
    assertDeepEqual(admin, { entry: "Admin", props: { role: "root", n: [1] } });
  },
};

// --- globalOutbound ------------------------------------------------------------------------------

export const outbound0ParentOutboundIsConfigured = {
  async test() {
    // The other outbound tests rely on the parent's own fetch() reaching echo's Outbound.
    const data = await (await fetch("http://anywhere.example/parent")).json();
    assertEqual(data.who, "outbound");
  },
};

export const outboundAbsentInheritsParent = {
  async test(ctrl, env) {
    const result = await getJson(env.LOADER.load(workerCode(OUTBOUND_PROBE)).getEntrypoint());
    assert(result.ok, `fetch failed in the child: ${result.message}`);
    assertEqual(result.data.who, "outbound");
    assertEqual(result.data.path, "/probe");
    assertEqual(result.data.headers["x-from-child"], "yes");
  },
};

export const outboundNullBlocksFetch = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(OUTBOUND_PROBE, { globalOutbound: null }));
    const result = await getJson(worker.getEntrypoint());
    assertEqual(result.ok, false, "fetch() must fail with globalOutbound: null");
    // The same Error (not a TypeError) and text as connect() below, as in Workers.
    assertEqual(result.name, "Error");
    assertEqual(result.isTypeError, false);
    assert(result.message.startsWith(
      "This worker is not permitted to access the internet via global functions like fetch()."),
      result.message);
  },
};

export const outboundNullBlocksConnect = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      import { connect } from "cloudflare:sockets";
      export default {
        fetch() {
          try {
            connect("example.com:443");
            return Response.json({ threw: false });
          } catch (e) {
            return Response.json({ threw: true, name: e.name, message: e.message });
          }
        },
      };
    `, { globalOutbound: null }));
    const result = await getJson(worker.getEntrypoint());
    assertEqual(result.threw, true, "connect() must throw with globalOutbound: null");
    assertEqual(result.name, "Error");
    assert(result.message.startsWith("This worker is not permitted to access the internet"),
      result.message);
  },
};

export const outboundNullKeepsBindings = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(`
      export default {
        async fetch(request, env) {
          return env.ECHO.fetch("http://echo/through-binding");
        },
      };
    `, { globalOutbound: null, env: { ECHO: env.ECHO } }));
    const data = await getJson(worker.getEntrypoint());
    assertEqual(data.who, "echo");
    assertEqual(data.path, "/through-binding");
  },
};

export const outboundServiceBinding = {
  async test(ctrl, env) {
    const worker = env.LOADER.load(workerCode(OUTBOUND_PROBE, { globalOutbound: env.ECHO }));
    const result = await getJson(worker.getEntrypoint());
    assert(result.ok, `fetch failed in the child: ${result.message}`);
    assertEqual(result.data.who, "echo", "the given binding, not the parent's outbound");
  },
};

export const outboundGatewayWithProps = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(workerCode(`
      export default {
        async fetch() {
          const first = await fetch("https://api.example.com/a?x=1", {
            headers: { "x-from-child": "yes" },
          });
          const second = await fetch(new Request("http://other.example/b", {
            method: "POST", body: "payload",
          }));
          return Response.json([await first.json(), await second.json()]);
        },
      };
    `, { globalOutbound: ctx.exports.HttpGateway({ props: { tenant: "acme" } }) }));
    const [first, second] = await getJson(worker.getEntrypoint());
    assertDeepEqual(first, {
      via: "gateway", tenant: "acme", method: "GET",
      url: "https://api.example.com/a?x=1", header: "yes", body: "",
    });
    assertDeepEqual(second, {
      via: "gateway", tenant: "acme", method: "POST",
      url: "http://other.example/b", header: null, body: "payload",
    });
  },
};

// --- env -----------------------------------------------------------------------------------------

export const envClonedValues = {
  async test(ctrl, env) {
    const cycle = { name: "cycle" };
    cycle.self = cycle;
    const worker = env.LOADER.load(workerCode(`
      export default {
        fetch(request, env) {
          return Response.json({
            str: env.STR, num: env.NUM, bool: env.BOOL, nul: env.NUL,
            nested: env.OBJ.nested.list,
            map: env.MAP instanceof Map && Array.from(env.MAP),
            set: env.SET instanceof Set && Array.from(env.SET),
            date: env.DATE instanceof Date && env.DATE.toISOString(),
            bytes: env.BYTES instanceof Uint8Array && Array.from(env.BYTES),
            buffer: env.BUF instanceof ArrayBuffer && env.BUF.byteLength,
            big: typeof env.BIG === "bigint" && env.BIG.toString(),
            regexp: env.RE instanceof RegExp && [env.RE.source, env.RE.flags],
            cycle: env.CYCLE.self === env.CYCLE,
            // Clones are built from the child's own intrinsics, never the parent's.
            ownRealm: Object.getPrototypeOf(env.OBJ) === Object.prototype &&
              Array.isArray(env.OBJ.nested.list) &&
              Object.getPrototypeOf(env.OBJ.nested.list) === Array.prototype,
          });
        },
      };
    `, {
      env: {
        STR: "s", NUM: 42.5, BOOL: true, NUL: null,
        OBJ: { nested: { list: [1, "two", { three: 3 }] } },
        MAP: new Map([["k", 1]]),
        SET: new Set([1, 2]),
        DATE: new Date(Date.UTC(2024, 8, 1)),
        BYTES: new Uint8Array([1, 2, 3]),
        BUF: new ArrayBuffer(5),
        BIG: 12345678901234567890n,
        RE: /ab+c/gi,
        CYCLE: cycle,
      },
    }));
    assertDeepEqual(await getJson(worker.getEntrypoint()), {
      str: "s", num: 42.5, bool: true, nul: null, nested: [1, "two", { three: 3 }],
      map: [["k", 1]], set: [1, 2], date: "2024-09-01T00:00:00.000Z", bytes: [1, 2, 3],
      buffer: 5, big: "12345678901234567890", regexp: ["ab+c", "gi"], cycle: true, ownRealm: true,
    });
  },
};

export const envServiceStubs = {
  async test(ctrl, env, ctx) {
    const worker = env.LOADER.load(workerCode(`
      export default {
        async fetch(request, env) {
          const text = async (binding) => (await binding.fetch("http://binding/")).text();
          return Response.json({
            greeter: await text(env.GREETER),
            anonymous: await text(env.ANONYMOUS),
            echo: (await (await env.ECHO.fetch("http://echo/")).json()).who,
            // Any other property of a stub is an RPC method, never the props themselves.
            propsHidden: typeof env.GREETER.props !== "object" &&
              JSON.stringify(env.GREETER) === "{}",
          });
        },
      };
    `, {
      env: {
        GREETER: ctx.exports.Greeter({ props: { name: "Alice" } }),
        ANONYMOUS: ctx.exports.Greeter,
        ECHO: env.ECHO,
      },
    }));
    assertDeepEqual(await getJson(worker.getEntrypoint()), {
      greeter: "Hello, Alice!",
      anonymous: "Hello, nobody!",
      echo: "echo",
      propsHidden: true,
    });
  },
};

export const envIsACopy = {
  async test(ctrl, env) {
    const shared = { value: "parent", list: [1] };
    const worker = env.LOADER.load(workerCode(`
      export default {
        fetch(request, env) {
          const seen = { value: env.SHARED.value, list: env.SHARED.list.slice() };
          env.SHARED.value = "child";
          env.SHARED.list.push(2);
          return Response.json(seen);
        },
      };
    `, { env: { SHARED: shared } }));
    assertDeepEqual(await getJson(worker.getEntrypoint()), { value: "parent", list: [1] });
    assertDeepEqual(shared, { value: "parent", list: [1] }, "the child's writes stay in the child");
    shared.value = "parent-later";
    const again = await getJson(worker.getEntrypoint());
    assertNotEqual(again.value, "parent-later", "the parent's later writes stay in the parent");
  },
};

export const envUncloneableIsRefused = {
  async test(ctrl, env) {
    // Whether load() or the first call reports it is up to the implementation; the value
    // must not reach the child.
    let error;
    try {
      const worker = env.LOADER.load(workerCode(HELLO, { env: { MAP: new WeakMap() } }));
      await worker.getEntrypoint().fetch("http://child/");
    } catch (e) {
      error = e;
    }
    assert(error instanceof Error, "an uncloneable env value must be refused");
  },
};

// A WorkerCode's env outlives the request that built it (a cached worker keeps it for every later
// call), so functions and RpcTargets are refused with a DataCloneError, as on Cloudflare; stubs,
// which are capabilities of their own, still go.
export const envRefusesFunctionsAndRpcTargets = {
  async test(ctrl, env, ctx) {
    class Counter extends RpcTarget {
      inc() { return 1; }
    }
    for (const value of [() => 1, new Counter(), { nested: [async () => 2] }]) {
      assertThrows(() => env.LOADER.load(workerCode(HELLO, { env: { VALUE: value } })),
        DOMException, "cannot be part of WorkerCode.env");
      const error = (() => {
        try {
          env.LOADER.load(workerCode(HELLO, { env: { VALUE: value } }));
        } catch (e) {
          return e;
        }
      })();
      assertEqual(error.name, "DataCloneError");
    }
    const withStub = env.LOADER.load(workerCode(HELLO, { env: { ECHO: env.ECHO } }));
    assertEqual(await (await withStub.getEntrypoint().fetch("http://child/")).text(), "hello");
  },
};

// --- get(id, callback) ---------------------------------------------------------------------------

let coldCalls = 0;
export const getCallbackOnlyWhenCold = {
  async test(ctrl, env) {
    const callback = () => {
      coldCalls++;
      return workerCode(COUNTER);
    };
    const first = env.LOADER.get("cold-once", callback);
    assert(!(first instanceof Promise), "get() returns the stub itself, not a promise");
    await getJson(first.getEntrypoint());
    await getJson(env.LOADER.get("cold-once", callback).getEntrypoint());
    assertEqual(coldCalls, 1, "the second get() found the warm worker");
  },
};

// get(null, callback): an anonymous worker (workerd): the callback runs every time and nothing
// is kept, so each one starts with fresh module state.
export const getWithNullIdIsAnonymous = {
  async test(ctrl, env) {
    let calls = 0;
    const callback = async () => {
      calls++;
      return workerCode(COUNTER);
    };
    const first = await getJson(env.LOADER.get(null, callback).getEntrypoint());
    const second = await getJson(env.LOADER.get(null, callback).getEntrypoint());
    assertEqual(calls, 2, "no cache: the callback ran for each get(null)");
    assertDeepEqual([first.count, second.count], [1, 1], "each is a fresh worker");
    assertThrows(() => env.LOADER.get("", callback), TypeError, "non-empty string, or null");
  },
};

let idCalls = [];
export const getDifferentIdRunsCallback = {
  async test(ctrl, env) {
    // The documented callback is async (code usually comes from storage).
    const callbackFor = (id) => async () => {
      idCalls.push(id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return workerCode(COUNTER);
    };
    const a1 = await getJson(env.LOADER.get("id-a", callbackFor("id-a")).getEntrypoint());
    const b1 = await getJson(env.LOADER.get("id-b", callbackFor("id-b")).getEntrypoint());
    const a2 = await getJson(env.LOADER.get("id-a", callbackFor("id-a")).getEntrypoint());
    assertDeepEqual(idCalls, ["id-a", "id-b"]);
    assertDeepEqual([a1.count, b1.count, a2.count], [1, 1, 2], "one worker per id");
  },
};

export const getKeepsModuleState = {
  async test(ctrl, env) {
    const callback = () => workerCode(COUNTER);
    const worker = env.LOADER.get("keeps-state", callback);
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push((await getJson(worker.getEntrypoint())).count);
    counts.push((await getJson(env.LOADER.get("keeps-state", callback).getEntrypoint())).count);
    assertDeepEqual(counts, [1, 2, 3, 4]);
  },
};

export const getCallbackCodeCarriesStubs = {
  async test(ctrl, env, ctx) {
    // The docs' Greeter example: the outbound knows who the child is through its props.
    const worker = env.LOADER.get("alice", () => workerCode(`
      export default {
        async fetch(request, env) {
          const outbound = await (await fetch("http://anywhere.example/")).text();
          const binding = await (await env.GREETER.fetch("http://greeter/")).text();
          return Response.json({ outbound, binding });
        },
      };
    `, {
      globalOutbound: ctx.exports.Greeter({ props: { name: "Alice" } }),
      env: { GREETER: ctx.exports.Greeter({ props: { name: "Bob" } }) },
    }));
    assertDeepEqual(await getJson(worker.getEntrypoint()),
      { outbound: "Hello, Alice!", binding: "Hello, Bob!" });
  },
};

let twinCalls = 0;
export const getCacheSharedByLoaderId = {
  async test(ctrl, env) {
    const callback = () => {
      twinCalls++;
      return workerCode(COUNTER);
    };
    const viaLoader = await getJson(env.LOADER.get("twin", callback).getEntrypoint());
    const viaTwin = await getJson(env.LOADER_TWIN.get("twin", callback).getEntrypoint());
    assertEqual(twinCalls, 1, "LOADER_TWIN has LOADER's id, so it shares its warm workers");
    assertEqual(viaTwin.count, viaLoader.count + 1);
    const viaPrivate = await getJson(env.PRIVATE_LOADER.get("twin", callback).getEntrypoint());
    assertEqual(twinCalls, 2, "workerLoader = () has a cache of its own");
    assertEqual(viaPrivate.count, 1);
  },
};
