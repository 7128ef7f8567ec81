// expect: 200 caught RangeError
// Unbounded recursion must be a catchable RangeError (V8's stack limit), not a crash.
export default {
  fetch() {
    const down = (n) => down(n + 1) + 1;
    try {
      down(0);
    } catch (e) {
      return new Response(`caught ${e.name}: ${e.message}`);
    }
    return new Response("recursion ended?", { status: 500 });
  },
};
