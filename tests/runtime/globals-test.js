import { assert, assertEqual, assertThrows } from "assert.js";

// Captured at module evaluation, outside any request.
let globalScopeTimerError = null;
try {
  setTimeout(() => {}, 1);
} catch (e) {
  globalScopeTimerError = e;
}

export const evalIsDisallowed = {
  test() {
    assertThrows(() => eval("1 + 1"), EvalError, "Code generation from strings disallowed");
    assertThrows(() => new Function("return 1"), EvalError, "Code generation from strings");
    // Indirect forms are blocked as well.
    const indirect = globalThis["ev" + "al"];
    assertThrows(() => indirect("2"), EvalError, "disallowed");
  },
};

export const clockDoesNotAdvanceWhileRunning = {
  async test() {
    const start = Date.now();
    const deadline = performance.now();
    let spins = 0;
    // Busy work that takes real time; the frozen clock must not move.
    for (let i = 0; i < 2e6; i++) spins += i % 7;
    assertEqual(Date.now(), start);
    assertEqual(new Date().getTime(), start);
    assertEqual(performance.now(), deadline);
    assert(spins > 0);
    // After I/O (a timer), time moves on.
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert(Date.now() >= start + 15, `clock advanced after I/O: ${Date.now() - start} ms`);
  },
};

export const timersAtGlobalScopeThrow = {
  test() {
    assert(globalScopeTimerError, "setTimeout at global scope must throw");
    assert(globalScopeTimerError.message.includes("global scope"), globalScopeTimerError.message);
  },
};

export const timersRunAndCancel = {
  async test() {
    const order = [];
    const cancelled = setTimeout(() => order.push("cancelled"), 5);
    clearTimeout(cancelled);
    setTimeout(() => order.push("b"), 10);
    setTimeout(() => order.push("a"), 1);
    let ticks = 0;
    await new Promise((resolve) => {
      const id = setInterval(() => {
        if (++ticks === 3) {
          clearInterval(id);
          resolve();
        }
      }, 2);
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assertEqual(order.join(","), "a,b");
    assertEqual(ticks, 3);
  },
};

export const queueMicrotaskRunsBeforeTimers = {
  async test() {
    const order = [];
    setTimeout(() => order.push("timer"), 0);
    queueMicrotask(() => order.push("microtask"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    assertEqual(order.join(","), "microtask,timer");
  },
};

export const structuredCloneAndRandomness = {
  test() {
    const original = { a: [1, 2, { b: new Map([["k", new Date(0)]]) }] };
    const copy = structuredClone(original);
    assert(copy !== original && copy.a[2].b.get("k").getTime() === 0);
    assertThrows(() => structuredClone(() => 1), DOMException, "could not be cloned");
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    assert(bytes.some((b) => b !== 0), "32 random bytes are not all zero");
    assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(
        crypto.randomUUID()));
  },
};

export const isolationBetweenWorkers = {
  test() {
    // Each worker has its own global object; "modules" set nothing here.
    assertEqual(globalThis.leakedFromModulesWorker, undefined);
  },
};
