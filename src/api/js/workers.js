// The "cloudflare:workers" module's classes, the ExecutionContext (`ctx`) handed to handlers,
// and how kiln calls a handler on whatever a module exported.

class WorkerEntrypoint {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}

class DurableObject {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}

class WorkflowEntrypoint {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}

// Instances of RpcTarget subclasses are passed by reference over RPC rather than cloned.
class RpcTarget {}

const kProps = Symbol("props");
const kExports = Symbol("exports");

class ExecutionContext {
  constructor(props, exports) {
    this[kProps] = props;
    this[kExports] = exports;
  }
  waitUntil(promise) {
    natives.waitUntil(Promise.resolve(promise));
  }
  passThroughOnException() {
    // kiln has no origin to fall back to; accepted so that Workers code runs unchanged.
  }
  get props() {
    return this[kProps];
  }
  get exports() {
    return this[kExports];
  }
}
Object.defineProperty(ExecutionContext.prototype, Symbol.toStringTag, {
  value: "ExecutionContext",
});

internal.newExecutionContext = (props, exports) => new ExecutionContext(props, exports);

function isEntrypointClass(value) {
  return (
    typeof value === "function" &&
    (value.prototype instanceof WorkerEntrypoint ||
      value.prototype instanceof DurableObject ||
      value.prototype instanceof WorkflowEntrypoint)
  );
}

internal.hasHandler = (exported, method) => {
  if (isEntrypointClass(exported)) return typeof exported.prototype[method] === "function";
  return (
    exported !== null &&
    typeof exported === "object" &&
    typeof exported[method] === "function"
  );
};

// Object exports get (...args, env, ctx); class-based entrypoints are constructed per event
// with (ctx, env) and get (...args), as in Workers.
internal.callHandler = (exported, method, args, env, ctx) => {
  if (isEntrypointClass(exported)) {
    const instance = new exported(ctx, env);
    const fn = instance[method];
    if (typeof fn !== "function") {
      throw new TypeError(`Handler does not export a ${method}() function.`);
    }
    return fn.apply(instance, args);
  }
  if (exported === null || typeof exported !== "object" || typeof exported[method] !== "function") {
    throw new TypeError(`Handler does not export a ${method}() function.`);
  }
  return exported[method](...args, env, ctx);
};

internal.workersModule = {
  WorkerEntrypoint,
  DurableObject,
  WorkflowEntrypoint,
  RpcTarget,
};
internal.isEntrypointClass = isEntrypointClass;

// The prototype of every service stub. Stubs themselves are made by C++ (JsApi::newStub) and
// carry their capability in an internal field, which natives.stubFetch checks: an object merely
// inheriting from this prototype is not a stub.
const StubPrototype = {
  fetch(input, init = undefined) {
    let request;
    try {
      request = new internal.Request(input, init);
    } catch (e) {
      return Promise.reject(e);
    }
    return internal.fetchVia(request, (desc) => natives.stubFetch(this, desc));
  },
};
Object.defineProperty(StubPrototype, Symbol.toStringTag, { value: "Fetcher" });
internal.StubPrototype = StubPrototype;

// "cloudflare:sockets". kiln has no raw TCP yet; connect() says so, or, for a worker cut off from
// the network (globalOutbound: null), says what Workers says.
internal.socketsModule = {
  connect() {
    if (!natives.hasGlobalOutbound()) {
      throw new Error(
        "This worker is not permitted to access the internet via global functions like " +
          "fetch(). It must use capabilities (such as bindings in 'env') to talk to the " +
          "outside world.",
      );
    }
    throw new Error("connect() (TCP sockets) is not supported by this version of kiln.");
  },
};

// ---------------------------------------------------------------------------------------------
// JS RPC. Stubs answer any method name through a native property handler, which asks
// internal.rpcMethod for a function; arguments and results are structured-cloned by V8 with
// stubs, RpcTargets and functions carried by reference.

if (typeof Symbol.dispose !== "symbol") {
  Object.defineProperty(Symbol, "dispose", { value: Symbol("Symbol.dispose") });
}

// Releases the capability; later calls on the stub reject.
StubPrototype[Symbol.dispose] = function dispose() {
  natives.disposeStub(this);
};

// stub.dup(): another stub for the same capability, with a lifetime of its own.
StubPrototype.dup = function dup() {
  return natives.dupStub(this);
};

// Copies arrays and plain objects, replacing what must travel by reference: functions and
// RpcTarget instances become stubs calling back into this worker, callable stubs become plain
// ones (V8 cannot clone callable objects).
//
// With `refuse` (a WorkerCode's env, which outlives the request that built it and is shared by
// every call a cached worker gets), functions and RpcTargets are refused with a DataCloneError,
// as on Cloudflare: only stubs, which are capabilities of their own, may be kept.
function transferable(value, seen, refuse = null) {
  if (typeof value === "function") {
    if (natives.isStub(value)) return natives.plainStub(value);
    if (refuse !== null) throw refuse(value);
    return natives.targetStub(value);
  }
  if (value === null || typeof value !== "object" || natives.isStub(value)) return value;
  if (value instanceof RpcTarget) {
    if (refuse !== null) throw refuse(value);
    return natives.targetStub(value);
  }
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const copy = [];
    seen.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = transferable(value[i], seen, refuse);
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const copy = {};
    seen.set(value, copy);
    for (const key of Object.keys(value)) copy[key] = transferable(value[key], seen, refuse);
    return copy;
  }
  return value;
}
internal.prepareForTransfer = (value) => transferable(value, new Map());
internal.prepareEnvForTransfer = (value) =>
  transferable(value, new Map(), (what) => new internal.DOMException(
    `${typeof what === "function" ? "A function" : "An RpcTarget"} cannot be part of ` +
      "WorkerCode.env: the env outlives the request that made it. Pass a stub instead (a " +
      "binding, or ctx.exports.SomeEntrypoint), or hand the function to the worker over RPC.",
    "DataCloneError"));

// The promise an RPC call returns can be used before it resolves: `stub.a().b()` calls b on
// what a() returns once it is there (promise pipelining, as Workers RPC allows).
function pipelined(promise) {
  return new Proxy(promise, {
    get(target, prop) {
      if (prop === "then" || prop === "catch" || prop === "finally") {
        return target[prop].bind(target);
      }
      if (typeof prop === "symbol") return target[prop];
      return (...args) =>
        pipelined(
          target.then((value) => {
            const method = value == null ? undefined : value[prop];
            if (typeof method !== "function") {
              throw new TypeError(`The RPC result has no method "${String(prop)}".`);
            }
            return method.apply(value, args);
          }),
        );
    },
  });
}

internal.rpcMethod = (stub, name) => (...args) => {
  let promise;
  try {
    promise = natives.stubCall(stub, name, internal.prepareForTransfer(args));
  } catch (e) {
    promise = Promise.reject(e);
  }
  return pipelined(promise);
};

const FORBIDDEN_METHODS = new Set(["constructor", "fetch", "connect", "alarm", "webSocketMessage"]);

function invoke(target, method, args) {
  if (method === "" && typeof target === "function") return target(...args);
  const fn = target == null ? undefined : target[method];
  if (
    typeof method !== "string" ||
    FORBIDDEN_METHODS.has(method) ||
    typeof fn !== "function" ||
    fn === Object.prototype[method]
  ) {
    throw new TypeError(`The RPC receiver does not implement the method "${method}".`);
  }
  return fn.apply(target, args);
}

// A call to an entrypoint: a WorkerEntrypoint class, constructed per call as for requests.
internal.callRpc = (exported, method, args, env, ctx) => {
  // Event handlers of a plain export (`export default { tail(events) {...} }`) take env and ctx
  // after their arguments, as fetch() does.
  if (method === "tail" && internal.hasHandler(exported, "tail") && !isEntrypointClass(exported)) {
    return exported.tail(...args, env, ctx);
  }
  if (!isEntrypointClass(exported)) {
    // A plain object export (`export default { greet(name) {...} }`) takes calls too, as in
    // workerd: exactly one argument, then env and ctx, with the object as `this`.
    const fn = exported == null ? undefined : exported[method];
    if (typeof fn === "function" && !FORBIDDEN_METHODS.has(method) && args.length !== 1) {
      throw new TypeError(
        `Attempted to call RPC function "${method}" with the wrong number of arguments. When ` +
          "calling a top-level handler function that is not declared as part of a class, you " +
          "must always send exactly one argument. In order to support variable numbers of " +
          "arguments, the server must use class-based syntax (extending WorkerEntrypoint) " +
          "instead.");
    }
    return Promise.resolve(invoke(exported, method, [...args, env, ctx]));
  }
  // Promise.resolve: a method may return a pending RPC call, whose pipelining proxy is a
  // thenable but not a promise.
  return Promise.resolve(invoke(new exported(ctx, env), method, args));
};

internal.invokeTarget = (target, method, args) => Promise.resolve(invoke(target, method, args));

// A handler method of an object (a Durable Object instance): fetch(request), alarm()...
internal.callInstance = (instance, method, args) => {
  const fn = instance[method];
  if (typeof fn !== "function") {
    throw new TypeError(`Handler does not export a ${method}() function.`);
  }
  return fn.apply(instance, args);
};
