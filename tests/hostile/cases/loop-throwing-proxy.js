// expect: 500 exceeded CPU time limit
// Proxy traps that throw, caught in a loop.
export default {
  fetch() {
    const p = new Proxy({}, {
      get() { throw new Error("get trap"); },
      has() { throw new Error("has trap"); },
    });
    for (;;) {
      try { p.x; } catch {}
      try { "x" in p; } catch {}
    }
  },
};
