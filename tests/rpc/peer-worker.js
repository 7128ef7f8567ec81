// A dynamic worker on the far side of RPC calls: it throws, hands out RpcTargets, calls back into
// functions and targets it is given, and uses stubs from its env. Errors it catches are reported
// as data so the parent can check what this side observed.
import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";

class Counter extends RpcTarget {
  constructor(start) {
    super();
    this.value = start;
  }

  inc(by = 1) {
    this.value += by;
    return this.value;
  }
}

class QuotaError extends Error {
  constructor(message) {
    super(message);
    this.name = "QuotaError";
  }
}

function describeError(e) {
  return {
    name: String(e && e.name),
    message: String(e && e.message),
    isError: e instanceof Error,
    isTypeError: e instanceof TypeError,
    isRangeError: e instanceof RangeError,
  };
}

export class Peer extends WorkerEntrypoint {
  throwTypeError() {
    throw new TypeError("child: bad type");
  }

  async throwRangeError() {
    await null;
    throw new RangeError("child: out of range");
  }

  throwCustom() {
    throw new QuotaError("child: quota exceeded");
  }

  // Calls env.FAILING[method]() in the parent and reports the error as seen in this isolate.
  async catchFrom(method) {
    try {
      await this.env.FAILING[method]();
      return null;
    } catch (e) {
      return describeError(e);
    }
  }

  async useAfterDispose() {
    const storage = this.env.STORAGE;
    await storage.put("before", "1");
    storage[Symbol.dispose]();
    try {
      await storage.put("after", "2");
      return null;
    } catch (e) {
      return describeError(e);
    }
  }

  makeCounter(start) {
    return new Counter(start);
  }

  async feed(target, values) {
    for (const value of values) await target.add(value);
    return values.length;
  }

  // Calls a function the parent passed; it runs in the parent, so its result comes back async.
  async callTwice(fn, value) {
    return fn(await fn(value));
  }

  // Hands out a function: the parent gets a callable stub that runs it here.
  adder(n) {
    return (x) => x + n;
  }

  async callAndReport(fn) {
    try {
      await fn();
      return null;
    } catch (e) {
      return describeError(e);
    }
  }

  // Pipelines on a stub from its own env, without awaiting the first call.
  async pipelineThroughEnv(start) {
    return this.env.COUNTERS.getCounter(start).inc(10);
  }

  async whoIsTenant() {
    return this.env.TENANT.whoami();
  }
}
