// expect: 500 exceeded memory limit
// loader: heap
// 10,000 timers is the per-event cap, but events of one isolate nest (ctx.exports), so 15 of
// them held 150,000 timers and grew the daemon by 287 MiB under a 64 MiB budget. Pending
// timers are charged to the isolate's memory budget: it is stopped as out of memory.
export default {
  async fetch(request, env, ctx) {
    for (let i = 0; i < 9999; i++) setTimeout(() => {}, 1e9);
    const depth = Number(new URL(request.url).searchParams.get("d") ?? 0);
    if (depth < 14) return ctx.exports.default.fetch("http://x/?d=" + (depth + 1));
    return new Response("deep " + depth);
  },
};
