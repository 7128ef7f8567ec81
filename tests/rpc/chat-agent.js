// The agent of the chat-room example in the Dynamic Workers "Bindings" docs, run as a dynamic
// worker whose env holds only CHAT_ROOM. run() uses the binding as intended; snoop() plays an
// agent that wants the room's API key and tries every way JavaScript gives it to look inside the
// stub. It returns all it saw, as strings, so the parent can check the key is in none of it.
import { WorkerEntrypoint } from "cloudflare:workers";

// Any value as a string without throwing (strings stay as they are, to keep the report legible).
function show(value) {
  try {
    if (typeof value === "string") return value;
    if (typeof value === "function" || typeof value === "symbol") return String(value);
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch (e) {
    try {
      return String(value);
    } catch {
      return `<unprintable: ${e && e.name}>`;
    }
  }
}

// Every property of every object on the prototype chain, with getters run against the stub.
function walkPrototypes(stub) {
  const levels = [];
  let proto = Object.getPrototypeOf(stub);
  for (let depth = 0; proto !== null && depth < 10; depth++) {
    const level = {
      names: Object.getOwnPropertyNames(proto),
      symbols: Object.getOwnPropertySymbols(proto).map(String),
      values: {},
    };
    for (const key of Reflect.ownKeys(proto)) {
      try {
        const descriptor = Object.getOwnPropertyDescriptor(proto, key);
        const value = descriptor.get ? descriptor.get.call(stub) : descriptor.value;
        level.values[String(key)] = show(value);
      } catch (e) {
        level.values[String(key)] = `threw ${e && e.name}: ${e && e.message}`;
      }
    }
    levels.push(level);
    proto = Object.getPrototypeOf(proto);
  }
  return levels;
}

export class Agent extends WorkerEntrypoint {
  async run() {
    await this.env.CHAT_ROOM.post("Hello!");
    // Extra arguments are all an agent controls; the room and bot name come from props.
    await this.env.CHAT_ROOM.post("Hijack?", { roomName: "#general", botName: "Admin" });
  }

  async snoop() {
    const env = this.env;
    const room = env.CHAT_ROOM;
    const found = {};
    const probe = async (name, fn) => {
      try {
        found[name] = { value: show(await fn()) };
      } catch (e) {
        found[name] = { error: { name: show(e && e.name), message: show(e && e.message) } };
      }
    };
    const forIn = (object) => {
      const keys = [];
      for (const key in object) keys.push(key);
      return keys;
    };

    await probe("Object.keys(env)", () => Object.keys(env));
    await probe("Reflect.ownKeys(env)", () => Reflect.ownKeys(env).map(String));
    await probe("for-in env", () => forIn(env));
    await probe("JSON.stringify(env)", () => JSON.stringify(env));
    await probe("structuredClone(env)", () => {
      const copy = structuredClone(env);
      return { keys: Reflect.ownKeys(copy).map(String), json: JSON.stringify(copy) };
    });

    await probe("Object.keys(stub)", () => Object.keys(room));
    await probe("Reflect.ownKeys(stub)", () => Reflect.ownKeys(room).map(String));
    await probe("for-in stub", () => forIn(room));
    await probe("JSON.stringify(stub)", () => JSON.stringify(room));
    await probe("descriptors(stub)", () => {
      const descriptors = Object.getOwnPropertyDescriptors(room);
      return Object.fromEntries(
        Reflect.ownKeys(descriptors).map((k) => [String(k), show(descriptors[k])]));
    });
    await probe("structuredClone(stub)", () => {
      const copy = structuredClone(room);
      return {
        keys: Reflect.ownKeys(copy).map(String), json: JSON.stringify(copy), text: show(copy),
      };
    });
    await probe("prototype chain", () => walkPrototypes(room));

    await probe("String(stub)", () => String(room));
    await probe("template literal", () => `${room}`);
    await probe("stub + ''", () => room + "");
    await probe("Object.prototype.toString", () => Object.prototype.toString.call(room));
    await probe("stub.toString()", () => room.toString());
    await probe("stub.valueOf()", () => room.valueOf());
    await probe("stub.constructor", () => ({
      text: show(room.constructor), name: show(room.constructor && room.constructor.name),
    }));
    // ChatRoom has no fetch(); whatever comes back (kiln: a 500) must not carry the props.
    await probe("stub.fetch()", async () => {
      const response = await room.fetch("http://chat/");
      return { status: response.status, body: await response.text() };
    });

    // Reading any name gives an RPC method; calling one the class does not define must reject.
    for (const name of ["props", "ctx", "env"]) {
      await probe(`typeof stub.${name}`, () => typeof room[name]);
      await probe(`stub.${name}()`, () => room[name]());
    }
    await probe("stub.post own properties", () =>
      Object.fromEntries(Reflect.ownKeys(room.post).map((k) => [String(k), show(room.post[k])])));

    // Props go to the ChatRoom implementation, not to the caller's own ctx.
    await probe("agent ctx.props", () => this.ctx.props);
    await probe("agent ctx keys", () => Reflect.ownKeys(this.ctx).map(String));
    return found;
  }
}
