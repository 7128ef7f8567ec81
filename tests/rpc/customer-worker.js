// A customer's dynamic worker in the KV-scoping example. Its methods forward to the STORAGE stub
// in its env so the parent can drive it; the rest hand stubs around and try to forge them.
import { WorkerEntrypoint } from "cloudflare:workers";

// Outcomes as plain data: a failure must reach the parent as a result, not abort the probe.
async function outcome(fn) {
  try {
    const value = await fn();
    return { ok: true, value: value instanceof Response ? `Response ${value.status}` : value };
  } catch (e) {
    return { ok: false, name: String(e && e.name), message: String(e && e.message) };
  }
}

// Every way the parent or this worker might try to use a stub-lookalike for storage.
async function useLike(storage) {
  return {
    fetch: await outcome(() => storage.fetch("http://storage/x")),
    get: await outcome(() => storage.get("x")),
    put: await outcome(() => storage.put("forged", "1")),
    list: await outcome(() => storage.list()),
  };
}

export class Customer extends WorkerEntrypoint {
  async get(key) {
    return this.env.STORAGE.get(key);
  }

  async put(key, value) {
    return this.env.STORAGE.put(key, value);
  }

  async list() {
    return this.env.STORAGE.list();
  }

  // Not async: returns the pending call itself, which the RPC layer must await like any promise.
  getUnawaited(key) {
    return this.env.STORAGE.get(key);
  }

  // Hands its binding back: a stub comes out of an RPC result as a stub.
  storage() {
    return this.env.STORAGE;
  }

  // Uses a stub received as an argument rather than its own binding.
  async putWith(storage, key, value) {
    return storage.put(key, value);
  }

  // Calls a stub-lookalike the parent placed in env.FORGED.
  useForged() {
    return useLike(this.env.FORGED);
  }

  // Builds lookalikes of its own STORAGE stub that claim another customer's prefix.
  async forge(prefix) {
    const real = this.env.STORAGE;
    const proto = Object.getPrototypeOf(real);
    const fromProto = Object.create(proto);
    Object.defineProperty(fromProto, "props", { value: { prefix } });
    // Same shape: every function on the stub's prototype chain, plus the props it wants.
    const shaped = { props: { prefix }, ctx: { props: { prefix } } };
    for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const key of Reflect.ownKeys(p)) {
        const descriptor = Object.getOwnPropertyDescriptor(p, key);
        if (typeof descriptor.value === "function" && !(key in shaped)) {
          shaped[key] = descriptor.value;
        }
      }
    }
    return { fromProto: await useLike(fromProto), shaped: await useLike(shaped) };
  }
}
