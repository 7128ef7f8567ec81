import { assert, assertEqual, assertRejects } from "assert.js";
import { WorkerEntrypoint, exports as moduleExports } from "cloudflare:workers";

globalThis.leakedFromModulesWorker = true;

export const serviceBindingFetch = {
  async test(ctrl, env) {
    const response = await env.BACKEND.fetch("http://backend/echo?x=1", {
      method: "POST",
      body: "payload",
      headers: { "x-test": "yes" },
    });
    assertEqual(response.status, 200);
    const data = await response.json();
    assertEqual(data.who, "backend");
    assertEqual(data.method, "POST");
    assertEqual(data.path, "/echo");
    assertEqual(data.body, "payload");
    assertEqual(data.header, "yes");
  },
};

export const namedEntrypointBinding = {
  async test(ctrl, env) {
    const response = await env.ADMIN.fetch("http://backend/x");
    assertEqual(response.status, 201);
    assertEqual(await response.text(), "admin for /x");
  },
};

export const propsReachOnlyTheImplementation = {
  async test(ctrl, env) {
    const data = await (await env.CLASSY.fetch("http://c/")).json();
    assertEqual(data.tenant, "t1");
    // The holder of the binding sees no props: other property names are RPC methods.
    assertEqual(typeof env.CLASSY.props, "function");
    assertEqual(JSON.stringify(Object.keys(env.CLASSY)), "[]");
    assertEqual(JSON.stringify(env.CLASSY), "{}");
  },
};

export const globalFetchUsesGlobalOutbound = {
  async test() {
    const response = await fetch("http://anywhere.example/via-outbound");
    const data = await response.json();
    assertEqual(data.who, "backend");
    assertEqual(data.path, "/via-outbound");
  },
};

let waitUntilDone = false;
// Tests run in export-name order; the second checks what the first left behind.
export const waitUntil1RunsAfterHandler = {
  async test(ctrl, env, ctx) {
    ctx.waitUntil(new Promise((resolve) => setTimeout(() => {
      waitUntilDone = true;
      resolve();
    }, 10)));
    assertEqual(waitUntilDone, false);
  },
};

export const waitUntil2Finished = {
  test() {
    assertEqual(waitUntilDone, true);
  },
};

export const ctxExportsLoopback = {
  async test(ctrl, env, ctx) {
    assert(ctx.exports.greeter, "ctx.exports has the greeter entrypoint");
    assert(ctx.exports === moduleExports, "ctx.exports is the module's exports object");
    const response = await ctx.exports.greeter.fetch("http://self/name");
    assertEqual(await response.text(), "greetings from /name");
  },
};

export class greeter extends WorkerEntrypoint {
  fetch(request) {
    return new Response(`greetings from ${new URL(request.url).pathname}`);
  }
}

// As in workerd: an in-process caller's fetch() rejects with the handler's own error (type and
// message); only an HTTP client gets a 500 (tests/e2e/serve-test.sh checks that one).
export const handlerErrorsRejectInProcessCallers = {
  async test(ctrl, env, ctx) {
    await assertRejects(ctx.exports.thrower.fetch("http://self/"), Error, "boom from thrower");
    await assertRejects(ctx.exports.typeThrower.fetch("http://self/"), TypeError, "bad type");
    for (const [kind, Class] of [["syntax", SyntaxError], ["eval", EvalError], ["uri", URIError],
      ["reference", ReferenceError], ["range", RangeError]]) {
      await assertRejects(ctx.exports.typeThrower.fetch(`http://self/${kind}`), Class, kind);
    }
  },
};

export const typeThrower = {
  fetch(request) {
    const kind = new URL(request.url).pathname.slice(1);
    const classes = { syntax: SyntaxError, eval: EvalError, uri: URIError,
      reference: ReferenceError, range: RangeError };
    if (kind in classes) throw new classes[kind](`a ${kind} error`);
    throw new TypeError("bad type");
  },
};

export const thrower = {
  fetch() {
    throw new Error("boom from thrower");
  },
};

export const streamingResponseBody = {
  async test(ctrl, env, ctx) {
    const response = await ctx.exports.streamer.fetch("http://self/");
    assertEqual(await response.text(), "chunk-0 chunk-1 chunk-2 ");
  },
};

export const streamer = {
  fetch() {
    let i = 0;
    const stream = new ReadableStream({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (i === 3) {
          controller.close();
        } else {
          controller.enqueue(new TextEncoder().encode(`chunk-${i++} `));
        }
      },
    });
    return new Response(stream);
  },
};
