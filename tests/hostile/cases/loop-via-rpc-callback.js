// expect: 500 exceeded CPU time limit
// A loop in a function handed out by reference and called back over RPC: the worker that made
// it runs it, under its own limits (tests/loader/sandbox-test.js covers RpcTargets too).
import { WorkerEntrypoint } from "cloudflare:workers";
export class Maker extends WorkerEntrypoint {
  callback() {
    return () => {
      for (;;) {}
    };
  }
}
export default {
  async fetch(request, env, ctx) {
    const callback = await ctx.exports.Maker.callback();
    await callback();
    return new Response("the callback returned");
  },
};
