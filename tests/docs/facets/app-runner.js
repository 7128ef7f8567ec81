// Docs: Dynamic Workers > Durable Object Facets > "Load and run a dynamic class" (JavaScript tab),
// verbatim. A supervisor Durable Object (AppRunner) runs the dynamic App class as its "app" facet.
import { DurableObject } from "cloudflare:workers";

// In production, this code would come from an AI agent, a database,
// or user input — not a static string.
const AGENT_CODE = `
  import { DurableObject } from "cloudflare:workers";

  export class App extends DurableObject {
    fetch(request) {
      // Note: storage.kv provides simple KV storage backed by SQLite,
      // but you can also use SQL directly via storage.sql. See:
      // https://developers.cloudflare.com/durable-objects/api/sqlite-storage-api/

      let counter = this.ctx.storage.kv.get("counter") || 0;
      ++counter;
      this.ctx.storage.kv.put("counter", counter);

      return new Response("You have made " + counter + " requests.\\n");
    }
  }
`;

// AppRunner is your supervisor. Each instance manages one
// dynamically-loaded application.
export class AppRunner extends DurableObject {
  async fetch(request) {
    // Get a stub pointing to the "app" facet. If the facet has not
    // started yet (or has hibernated), the callback runs to tell the
    // runtime what code to load.
    const facet = this.ctx.facets.get("app", async () => {
      const worker = this.#loadDynamicWorker();

      // Extract the Durable Object class named "App" from the
      // dynamic Worker's exports.
      const appClass = worker.getDurableObjectClass("App");

      return { class: appClass };
    });

    // Forward the request to the facet.
    // You can also call RPC methods on the stub.
    return await facet.fetch(request);
  }

  #loadDynamicWorker() {
    // Use get() so the Worker stays warm across requests.
    // Each unique code version needs a unique ID.
    const codeId = "agent-code-v1";

    return this.env.LOADER.get(codeId, async () => {
      return {
        compatibilityDate: "2026-04-01",
        mainModule: "worker.js",
        modules: { "worker.js": AGENT_CODE },
        globalOutbound: null, // block network access
      };
    });
  }
}

export default {
  async fetch(request, env, ctx) {
    // Look up the AppRunner instance named "my-app".
    const obj = ctx.exports.AppRunner.getByName("my-app");

    // Forward the request to it.
    return await obj.fetch(request);
  },
};
