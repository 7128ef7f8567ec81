// Test for docs section "Getting started" > "Using TypeScript and npm dependencies"
// (worker-bundler.js): the bundled Hono app answers "Hello from Hono!" on /. Pending: needs the
// npm package @cloudflare/worker-bundler (and npm access for hono), which kiln cannot provide.
import { assertEqual } from "assert.js";

export const workerBundlerHono = {
  async test(ctrl, env) {
    const response = await env.BUNDLER.fetch("http://example/");
    assertEqual(response.status, 200);
    assertEqual(await response.text(), "Hello from Hono!");
    assertEqual((await env.BUNDLER.fetch("http://example/missing")).status, 404);
  },
};
