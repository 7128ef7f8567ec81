// expect: 500 exceeded memory limit|RangeError
// ArrayBuffers live outside the V8 heap: their budget (64 MB here) must hold too. kiln throws a
// RangeError at the budget (caught and reported here); a memory-limit kill is also acceptable.
export default {
  fetch() {
    const kept = [];
    try {
      for (;;) kept.push(new ArrayBuffer(1 << 20));
    } catch (e) {
      return new Response(`${e.name}: ${e.message} after ${kept.length} MiB`, { status: 500 });
    }
  },
};
