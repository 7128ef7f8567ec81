// expect: 500 CompileError
// within-ms: 5000
// The synchronous form, and instantiate() from bytes, must throw as well.
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
export default {
  async fetch() {
    const ran = [];
    let error;
    try { new WebAssembly.Module(EMPTY_MODULE); ran.push("new WebAssembly.Module"); } catch (e) { error ??= e; }
    try { await WebAssembly.instantiate(EMPTY_MODULE); ran.push("WebAssembly.instantiate"); } catch (e) { error ??= e; }
    if (ran.length) return new Response(`succeeded: ${ran.join(", ")}`, { status: 200 });
    return new Response(`${error.name}: ${error.message}`, { status: 500 });
  },
};
