// Test for docs section "Getting started" > "Python Workers" (python-worker.js): the Python child
// answers "Hello from Python!". Pending: kiln has no Python Workers (load() throws a TypeError).
import { assertEqual } from "assert.js";

export const pythonWorker = {
  async test(ctrl, env) {
    const response = await env.PYTHON.fetch("http://example/");
    assertEqual(response.status, 200);
    assertEqual(await response.text(), "Hello from Python!");
  },
};
