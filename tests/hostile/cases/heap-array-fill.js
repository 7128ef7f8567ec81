// expect: 500 exceeded memory limit
// loader: heap
// One allocation request of a billion elements.
export default {
  fetch() {
    const a = new Array(1e9).fill(0);
    return new Response(String(a.length));
  },
};
