// expect: 500 exceeded CPU time limit
// A loop reached through the worker's own ctx.exports: a path into the worker like any other,
// so the loader's CPU limit applies to it (it used to get no limit at all and wedge the thread).
import { WorkerEntrypoint } from "cloudflare:workers";
export class Spinner extends WorkerEntrypoint {
  spin() {
    for (;;) {}
  }
}
export default {
  async fetch(request, env, ctx) {
    await ctx.exports.Spinner.spin();
    return new Response("the loop ended");
  },
};
