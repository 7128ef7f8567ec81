// expect: 500 exceeded memory limit
// loader: heap
// String concatenation growth: a cons-string tree with a node per step.
export default {
  fetch() {
    let s = "";
    for (;;) s += String(Math.random());
  },
};
