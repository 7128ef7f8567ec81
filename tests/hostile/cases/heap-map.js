// expect: 500 exceeded memory limit
// loader: heap
// A Map that grows without bound.
export default {
  fetch() {
    const m = new Map();
    for (let i = 0; ; i++) m.set(i, { i });
  },
};
