// A blockConcurrencyWhile() callback that never settles: after 30 s the object is reset, as on
// Workers (each expected value is workerd's on the same code). The call that was waiting, the
// events queued at its gate and later calls through the same stub reject with the reset error;
// a new stub reaches a new instance; the old instance's storage refuses it.
import { assertEqual } from "assert.js";
import { DurableObject } from "cloudflare:workers";

const RESET = "Error: A call to blockConcurrencyWhile() in a Durable Object waited for too long. " +
  "The call was canceled and the Durable Object was reset.";
let instances = 0;

export class Blocker extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.n = ++instances;
  }
  async hang() {
    try {
      await this.ctx.blockConcurrencyWhile(() => new Promise(() => {}));
      return "returned";
    } catch (e) {
      return "the call went on after the reset";  // workerd: it does not.
    }
  }
  who() { return this.n; }
  keep() { globalThis.keptStorage = this.ctx.storage; }
  useKept() {
    try {
      globalThis.keptStorage.kv.put("k", 1);
      return "the old storage wrote";
    } catch (e) {
      return `${e.name}: ${e.message}`;
    }
  }
}

const outcome = (promise) => promise.then((v) => `ok: ${v}`, (e) => `${e.name}: ${e.message}`);

export const aHungBlockResetsTheObject = {
  async test(ctrl, env) {
    const stub = env.OBJECTS.getByName("a");
    assertEqual(await stub.who(), 1);
    await stub.keep();
    const hung = outcome(stub.hang());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const queued = outcome(stub.who());
    const started = Date.now();
    assertEqual(await hung, RESET);
    const waited = Date.now() - started;
    if (waited < 29000 || waited > 32000) throw new Error(`reset after ${waited} ms, not 30 s`);
    assertEqual(await queued, RESET);
    assertEqual(await outcome(stub.who()), RESET, "the old stub stays broken");
    const fresh = env.OBJECTS.getByName("a");
    assertEqual(await fresh.who(), 2, "a new stub reaches a new instance");
    assertEqual(await fresh.useKept(), RESET);
  },
};
