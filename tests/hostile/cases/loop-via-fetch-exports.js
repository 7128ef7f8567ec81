// expect: 500 Subrequest depth limit exceeded
// Recursion through fetch() alone: the worker fetches itself through ctx.exports, each hop a new
// event with a fresh CPU budget, so only the call-depth limit stops it. fetch() hops used not to
// count (RPC calls did), and the chain grew until the isolate ran out of memory.
export default {
  async fetch(request, env, ctx) {
    const depth = Number(new URL(request.url).searchParams.get("depth") ?? 0);
    try {
      return await ctx.exports.default.fetch(`http://self/?depth=${depth + 1}`);
    } catch (e) {
      return new Response(`${e.message} (at depth ${depth})`, { status: 500 });
    }
  },
};
