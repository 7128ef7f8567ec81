// The callee of properties-test.js: a WorkerEntrypoint, RpcTargets and a Durable Object whose
// prototypes define getters and methods, with own instance fields that RPC must not expose.
import { WorkerEntrypoint, RpcTarget, DurableObject } from "cloudflare:workers";

class Counter extends RpcTarget {
  constructor(start) {
    super();
    this.secret = "own field";
    this.count = start;
  }
  get value() {
    return this.count;
  }
  inc(by = 1) {
    this.count += by;
    return this.count;
  }
  get child() {
    return new Counter(this.count * 10);
  }
}

class Instance extends RpcTarget {
  constructor(id) {
    super();
    this.instanceId = id;
  }
  get id() {
    return this.instanceId;
  }
  async status() {
    return { status: "running", id: this.instanceId };
  }
}

export class Props extends WorkerEntrypoint {
  constructor(ctx, env) {
    super(ctx, env);
    this.hidden = "own field";
  }
  get greeting() {
    return "hello from a getter";
  }
  get asyncValue() {
    return Promise.resolve(42);
  }
  get config() {
    return { region: "earth", nested: { deep: [1, 2, 3] } };
  }
  get counter() {
    return new Counter(5);
  }
  get failing() {
    throw new RangeError("getter failed");
  }
  add(a, b) {
    return a + b;
  }
  pollutionCheck() {
    return "polluted" in {};
  }
  makePair() {
    return { left: new Counter(1), right: new Counter(100) };
  }
  makeCounter(start) {
    return new Counter(start);
  }
  createInstance(id) {
    return new Instance(id);
  }
}

export class Store extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.mine = "own field";
  }
  get kind() {
    return "durable";
  }
  echo(value) {
    return value;
  }
}

export default {
  fetch() {
    return new Response("backend");
  },
};
