// expect: 500 exceeded CPU time limit
// toString/valueOf that throw during implicit coercion, caught in a loop.
export default {
  fetch() {
    const evil = {
      toString() { throw new Error("toString"); },
      valueOf() { throw new Error("valueOf"); },
    };
    for (;;) {
      try { `${evil}`; } catch {}
      try { evil + 1; } catch {}
      try { String(evil); } catch {}
    }
  },
};
