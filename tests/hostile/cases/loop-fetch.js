// expect: 500 exceeded CPU time limit
// The classic pasted infinite loop, in the handler.
export default {
  fetch() {
    for (;;) {}
  },
};
