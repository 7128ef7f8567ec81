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
