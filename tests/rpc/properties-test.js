// Workers RPC exposes what the target's class prototype defines: getters are read remotely,
// methods read as values become callable stubs, own instance fields and env/ctx stay private,
// and property reads pipeline (`stub.a.b.c()`, `stub.make().left.inc()`).
import { assert, assertEqual, assertDeepEqual } from "assert.js";

const rejectsWith = async (promise, name, pattern) => {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert(error !== undefined, "expected a rejection");
  assertEqual(error.name, name, String(error));
  if (pattern) assert(pattern.test(error.message), `unexpected message: ${error.message}`);
};

export const gettersAreReadRemotely = {
  async test(ctrl, env) {
    assertEqual(await env.PROPS.greeting, "hello from a getter");
    assertEqual(await env.PROPS.asyncValue, 42);
    assertDeepEqual(await env.PROPS.config, { region: "earth", nested: { deep: [1, 2, 3] } });
    assertDeepEqual(await env.PROPS.config.nested.deep, [1, 2, 3]);
    await rejectsWith(env.PROPS.failing, "RangeError", /getter failed/);
  },
};

export const ownFieldsAndContextAreNotExposed = {
  async test(ctrl, env) {
    for (const name of ["hidden", "env", "ctx", "missing"]) {
      await rejectsWith(Promise.resolve().then(() => env.PROPS[name]), "TypeError");
    }
    await rejectsWith(Promise.resolve().then(() => env.PROPS.hidden()), "TypeError");
    await rejectsWith(Promise.resolve().then(() => env.PROPS.greeting()), "TypeError",
      /^"greeting" is not a function\.$/);
    await rejectsWith(Promise.resolve().then(() => env.PROPS.config.region()), "TypeError",
      /^"config.region" is not a function\.$/);
    await rejectsWith(Promise.resolve().then(() => env.PROPS.config.nope), "TypeError",
      /does not implement the method "nope"/);
    // A returned plain object is read with the callee's rules too (workerd checked side by side).
    await rejectsWith(Promise.resolve().then(() => env.PROPS.makePair().nope), "TypeError",
      /does not implement the method "nope"/);
  },
};

export const methodsReadAsValuesAreCallable = {
  async test(ctrl, env) {
    const add = await env.PROPS.add;
    assertEqual(typeof add, "function");
    assertEqual(await add(2, 3), 5);
    assertEqual(await env.PROPS.add(4, 5), 9);
  },
};

export const propertyChainsPipeline = {
  async test(ctrl, env) {
    assertEqual(await env.PROPS.makePair().left.inc(), 2);
    assertEqual(await env.PROPS.makePair().right.value, 100);
    assertEqual(await env.PROPS.counter.inc(3), 8);
    assertEqual(await env.PROPS.counter.child.value, 50);
    const pending = env.PROPS.makeCounter(7);
    assertEqual(await pending.value, 7);
    const counter = await env.PROPS.makeCounter(1);
    assertEqual(await counter.inc(), 2);
    assertEqual(await counter.value, 2);
    await rejectsWith(Promise.resolve().then(() => counter.secret), "TypeError");
  },
};

export const rpcTargetIdGetter = {
  async test(ctrl, env) {
    // The Dynamic Workflows docs read `await instance.id` from a returned RpcTarget.
    const instance = await env.PROPS.createInstance("wf-1");
    assertEqual(await instance.id, "wf-1");
    assertDeepEqual(await instance.status(), { status: "running", id: "wf-1" });
  },
};

export const durableObjectProperties = {
  async test(ctrl, env) {
    const stub = env.STORE.getByName("props");
    assertEqual(await stub.kind, "durable");
    assertEqual(await stub.echo("x"), "x");
    await rejectsWith(Promise.resolve().then(() => stub.mine), "TypeError");
  },
};

export const pathsCannotClimbIntoPrototypes = {
  async test(ctrl, env) {
    // An attacker's path: up to Object.prototype, then __defineGetter__ with a stub, would change
    // every object of the callee's isolate.
    const paths = [
      // (env.PROPS.__proto__ itself is the local stub's prototype; these paths reach the callee.)
      () => env.PROPS.counter.__proto__,
      () => env.PROPS.counter.__proto__.__proto__.__proto__.__defineGetter__("polluted", () => 1),
      () => env.PROPS.add.prototype,
      () => env.PROPS.config.__proto__.__defineGetter__("polluted", () => 1),
      () => env.PROPS.makePair().__proto__.toString(),
    ];
    for (const path of paths) {
      await rejectsWith(Promise.resolve().then(path), "TypeError");
    }
    assertEqual(await env.PROPS.pollutionCheck(), false);
  },
};
