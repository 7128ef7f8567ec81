// expect: 500 exceeded memory limit
// loader: heap
// A small array whose JSON is far larger than the heap (about 100 MB of text).
export default {
  fetch() {
    const big = new Array(1_000_000).fill("y".repeat(100));
    return new Response(String(JSON.stringify(big).length));
  },
};
