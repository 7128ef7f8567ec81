// expect: 500 Atomics|exceeded CPU time limit
// within-ms: 5000
// Atomics.wait blocks the thread without using CPU, so a CPU watchdog never sees it: it must
// throw (as on a browser's main thread) or the request be stopped quickly.
export default {
  fetch() {
    try {
      const buffer = typeof SharedArrayBuffer === "function"
        ? new SharedArrayBuffer(16)
        : new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer;
      const result = Atomics.wait(new Int32Array(buffer), 0, 0);
      return new Response(`Atomics.wait returned ${result}`, { status: 200 });
    } catch (e) {
      return new Response(`${e.name}: ${e.message}`, { status: 500 });
    }
  },
};
