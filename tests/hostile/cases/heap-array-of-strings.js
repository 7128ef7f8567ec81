// expect: 500 exceeded memory limit
// loader: heap
// Retains ever more distinct strings until the 64 MB heap is gone.
export default {
  fetch() {
    const kept = [];
    for (let i = 0; ; i++) kept.push("x".repeat(1024) + i);
  },
};
