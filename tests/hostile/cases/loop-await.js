// expect: 500 exceeded CPU time limit
// `await null` in a loop: each turn is a microtask, never a return to the event loop.
export default {
  async fetch() {
    for (;;) await null;
  },
};
