// expect: 500 exceeded CPU time limit
// Exceptions thrown and caught in a loop: termination must not be swallowed by the catch.
export default {
  fetch() {
    for (;;) {
      try {
        ({ get x() { throw new Error("getter"); } }).x;
      } catch {}
    }
  },
};
