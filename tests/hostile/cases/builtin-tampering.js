// expect: 200|500
// Replaces built-ins that the runtime's own glue might call (Promise#then, stream readers,
// iterators, Response accessors) before answering: the child may break itself, but whatever the
// runtime's C++ side gets back must not crash the daemon.
export default {
  fetch() {
    Promise.prototype.then = function () { return "not a promise"; };
    Object.defineProperty(Promise, Symbol.species, { get() { throw new Error("species"); } });
    ReadableStream.prototype.getReader = () => ({ read: () => 42 });
    Array.prototype[Symbol.iterator] = function* () { yield "tampered"; };
    Object.defineProperty(Response.prototype, "body", { get() { throw new Error("body"); } });
    Object.defineProperty(Response.prototype, "status", { get() { return "two hundred"; } });
    Object.defineProperty(Response.prototype, "headers", { get() { return 7; } });
    Uint8Array.prototype.set = () => { throw new Error("set"); };
    return new Response(new ReadableStream({
      start(controller) { controller.enqueue("a string, not bytes"); controller.close(); },
    }));
  },
};
