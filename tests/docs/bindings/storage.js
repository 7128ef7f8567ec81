// Docs: Dynamic Workers > Bindings > "Example: Scoping a KV namespace per customer" (docs lines
// 1785-1870). TypeScript only in the docs: the type annotations and `type MyStorageProps` are
// removed. MY_KV is the KV stand-in (kv.js). customerId, which the docs leave to the reader, is
// the request's ?customer=; the load()'s "// ..." is CUSTOMER_CODE below, whose default export
// runs the "Inside the Dynamic Worker" lines and answers with what get() saw.

// --- verbatim from the docs (Bindings, "Scoping a KV namespace per customer", MyStorage) ---
import { WorkerEntrypoint } from "cloudflare:workers";

export class MyStorage extends WorkerEntrypoint {
  // Export this class from your loader Worker
  // The Dynamic Worker will be able to call get() and put()
  async get(key) {
    // Prefix the key so this customer can only access their own data
    return this.env.MY_KV.get(`${this.ctx.props.prefix}:${key}`);
  }

  async put(key, value) {
    await this.env.MY_KV.put(`${this.ctx.props.prefix}:${key}`, value);
  }
}
// --- end ---

const CUSTOMER_CODE = {
  compatibilityDate: "2026-05-08",
  mainModule: "index.js",
  modules: {
    "index.js": `
      import { WorkerEntrypoint } from "cloudflare:workers";
      export default class extends WorkerEntrypoint {
        async fetch() {
          // --- verbatim from the docs (Bindings, "The Dynamic Worker just uses it like any other binding") ---
          // Inside the Dynamic Worker, it just sees STORAGE with get and put
          let value = await this.env.STORAGE.get("settings");
          await this.env.STORAGE.put("settings", "dark-mode");
          // --- end ---
          return Response.json({ before: value, after: await this.env.STORAGE.get("settings") });
        }
      }
    `,
  },
  globalOutbound: null,
};

export default {
  async fetch(request, env, ctx) {
    const customerId = new URL(request.url).searchParams.get("customer");
    // --- verbatim from the docs (Bindings, "Then pass it to the Dynamic Worker with a customer-specific prefix") ---
    // Create a stub scoped to this customer's prefix
    let storage = ctx.exports.MyStorage({
      props: { prefix: `customer-${customerId}` },
    });

    let worker = env.LOADER.load({
      env: { STORAGE: storage },
      // ...
      ...CUSTOMER_CODE, // (not in the docs: what "// ..." stands for)
    });
    // --- end ---
    return worker.getEntrypoint().fetch(request);
  },
};
