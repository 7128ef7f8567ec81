// Tests for docs sections "Dynamic Workflows" (lines 2355-2812) and "Dynamic Workflows
// Playground" (lines 1500-1527): "Trigger a dynamic workflow" (POST with x-tenant-id and a JSON
// payload returns the new instance's id) and "Check workflow status" (the instance completes
// with the output of its "greet" step). Pending issue 17: kiln has no Workflows.
import { assert, assertEqual } from "assert.js";

async function eventually(what, probe, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function trigger(env, tenantId, payload) {
  // The docs' curl: POST / with x-tenant-id and Content-Type: application/json.
  const response = await env.LOADER_WORKER.fetch("http://localhost:8787/", {
    method: "POST",
    headers: { "x-tenant-id": tenantId, "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  const body = await response.text();
  assertEqual(response.status, 200, body);
  const { id } = JSON.parse(body);
  assert(typeof id === "string" && id.length > 0, body);
  return id;
}

export const triggerAndComplete = {
  async test(ctrl, env) {
    const id = await trigger(env, "tenant-42", { name: "Alice" });
    const status = await eventually("the instance to complete", async () => {
      const s = await (await env.WORKFLOWS.get(id)).status();
      return s.status === "complete" && s;
    });
    assertEqual(status.output, "Hello, Alice!");
  },
};

export const tenantsAreSeparate = {
  async test(ctrl, env) {
    const [a, b] = await Promise.all([
      trigger(env, "tenant-a", { name: "Ann" }),
      trigger(env, "tenant-b", { name: "Bo" }),
    ]);
    assert(a !== b, "two instances");
    for (const [id, greeting] of [[a, "Hello, Ann!"], [b, "Hello, Bo!"]]) {
      const status = await eventually(`instance ${id}`, async () => {
        const s = await (await env.WORKFLOWS.get(id)).status();
        return s.status === "complete" && s;
      });
      assertEqual(status.output, greeting);
    }
  },
};
