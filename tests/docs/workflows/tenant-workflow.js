// Docs: Dynamic Workers > Dynamic Workflows > "Write the Dynamic Worker" (JavaScript tab),
// verbatim. Not a module of the loader: tenant-code.js hands its text to LOADER.get().
import { WorkflowEntrypoint } from "cloudflare:workers";

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    return step.do("greet", async () => `Hello, ${event.payload.name}!`);
  }
}

export default {
  async fetch(request, env) {
    const instance = await env.WORKFLOWS.create({
      params: await request.json(),
    });
    // instance is an RPC stub — .id is an RpcPromise, so await it.
    return Response.json({ id: await instance.id });
  },
};
