// Stand-in for a KV namespace (kiln has no KV binding yet, issue 18): the methods the docs' examples
// call, with KV's semantics for them. get(key) resolves to the value as a string, or null; with
// { type: "json" } parsed, { type: "arrayBuffer" } as an ArrayBuffer (cacheTtl is accepted and
// ignored). put(key, value) stores a string (or the bytes of an ArrayBuffer / view). list({ prefix })
// resolves to { keys: [{ name }], list_complete: true } in key order.
import { WorkerEntrypoint } from "cloudflare:workers";

const store = new Map(); // key -> Uint8Array

export class KvNamespace extends WorkerEntrypoint {
  get(key, options = {}) {
    const type = typeof options === "string" ? options : options.type ?? "text";
    const bytes = store.get(String(key));
    if (bytes === undefined) return null;
    switch (type) {
      case "text": return new TextDecoder().decode(bytes);
      case "json": return JSON.parse(new TextDecoder().decode(bytes));
      case "arrayBuffer": return bytes.slice().buffer;
      default: throw new TypeError(`Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".`);
    }
  }

  put(key, value) {
    let bytes;
    if (typeof value === "string") bytes = new TextEncoder().encode(value);
    else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value.slice(0));
    else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
    else throw new TypeError("KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.");
    store.set(String(key), bytes);
  }

  list({ prefix = "" } = {}) {
    const keys = [...store.keys()].filter((k) => k.startsWith(prefix)).sort().map((name) => ({ name }));
    return { keys, list_complete: true };
  }
}
