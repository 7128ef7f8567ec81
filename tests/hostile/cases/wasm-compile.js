// expect: 500 CompileError
// within-ms: 5000
// Code generation from bytes at run time is refused in Workers: compile() must reject with a
// CompileError promptly, not hang the request.
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
export default {
  async fetch() {
    try {
      await WebAssembly.compile(EMPTY_MODULE);
      return new Response("WebAssembly.compile succeeded", { status: 200 });
    } catch (e) {
      return new Response(`${e.name}: ${e.message}`, { status: 500 });
    }
  },
};
