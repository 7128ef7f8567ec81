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
  if (internal.isAbortSignal(value)) {
    // As workerd without its enable_abortsignal_rpc flag (cloned, it would read as a plain {}).
    throw new internal.DOMException("AbortSignal serialization is not enabled.", "DataCloneError");
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

// What an RPC method threw, as workerd sends it back: an error of its built-in type with its
// message and stack and nothing else of its own (no `cause`, no extra properties); an error of a
// class of the worker's own is an Error whose message leads with its name; anything else thrown
// is an Error describing it.
const kBuiltInErrors = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};
const kDOMExceptionMark = "\u0001DOMException";
internal.prepareThrownForTransfer = (value) => {
  if (value instanceof internal.DOMException) {
    // Kept as such (its name and code), as workerd does: marked, and made again by the caller.
    return {
      [kDOMExceptionMark]: true, name: value.name, message: value.message, stack: value.stack,
    };
  }
  if (!(value instanceof Error)) {
    if (value !== null && typeof value === "object") {
      const name = typeof value.constructor === "function" ? value.constructor.name : "Object";
      return new Error(`#<${name || "Object"}>`);
    }
    return new Error(String(value));
  }
  const name = String(value.name);
  const Ctor = Object.hasOwn(kBuiltInErrors, name) &&
    Object.getPrototypeOf(value) === kBuiltInErrors[name].prototype ? kBuiltInErrors[name] : null;
  const message = value.message === undefined ? "" : String(value.message);
  const error = Ctor === null ? new Error(`${name}: ${message}`) : new Ctor(message);
  if (typeof value.stack === "string") error.stack = value.stack;
  return error;
};
internal.reviveThrown = (value) => {
  if (value === null || typeof value !== "object" || value[kDOMExceptionMark] !== true) return value;
  const error = new internal.DOMException(value.message, value.name);
  if (typeof value.stack === "string") error.stack = value.stack;
  return error;
};
internal.prepareEnvForTransfer = (value) =>
  transferable(value, new Map(), (what) => new internal.DOMException(
    `${typeof what === "function" ? "A function" : "An RpcTarget"} cannot be part of ` +
      "WorkerCode.env: the env outlives the request that made it. Pass a stub instead (a " +
      "binding, or ctx.exports.SomeEntrypoint), or hand the function to the worker over RPC.",
    "DataCloneError"));

// How a call names what it wants of the callee. A plain method call is the method's name, as
// before properties existed (so logs and tails show it as is); a property read, or a call through
// a path of properties (`stub.a.b.c()`), is "\u0001" + op + "\u0000" + the path joined by "\u0000".
const RPC_ENCODED = "\u0001";
// Captured: a path may pass through stubs, whose every property (even "apply") is remote.
const ReflectApply = Reflect.apply;
const FunctionBind = Function.prototype.bind;
function encodeRpc(op, path) {
  if (op === "call" && path.length === 1 && !path[0].startsWith(RPC_ENCODED)) return path[0];
  for (const name of path) {
    if (name.includes("\u0000")) {
      throw new TypeError("RPC property names cannot contain NUL characters.");
    }
  }
  return RPC_ENCODED + op + "\u0000" + path.join("\u0000");
}
function decodeRpc(method) {
  if (!method.startsWith(RPC_ENCODED)) return { op: "call", path: [method] };
  const parts = method.slice(1).split("\u0000");
  return { op: parts[0], path: parts.slice(1) };
}

function remote(stub, op, path, args) {
  try {
    return natives.stubCall(stub, encodeRpc(op, path), internal.prepareForTransfer(args));
  } catch (e) {
    return Promise.reject(e);
  }
}

// What `stub.name` is, as in Workers: calling it calls the method, awaiting it reads the property
// on the callee, and reading further (`stub.a.b`) extends the path; `stub.a.b.c()` is one call.
// `then` reads only when called, so that inspecting the object sends nothing.
function rpcProperty(stub, path) {
  return new Proxy(() => {}, {
    get(_, prop) {
      if (typeof prop === "symbol") return undefined;
      if (prop === "then") {
        return (onFulfilled, onRejected) =>
          remote(stub, "get", path, []).then(onFulfilled, onRejected);
      }
      if (prop === "catch") return (onRejected) => remote(stub, "get", path, []).catch(onRejected);
      if (prop === "finally") return (onFinally) => remote(stub, "get", path, []).finally(onFinally);
      return rpcProperty(stub, [...path, prop]);
    },
    apply(_, thisArg, args) {
      return pipelined(remote(stub, "call", path, args), []);
    },
  });
}
internal.rpcMethod = (stub, name) => rpcProperty(stub, [name]);

const FORBIDDEN_METHODS = new Set(["constructor", "fetch", "connect", "alarm", "webSocketMessage"]);
// A path must not climb into prototypes: from Object.prototype a caller could call
// __defineGetter__ with a stub and change every object of the callee's isolate.
const FORBIDDEN_NAMES = new Set(["__proto__", "prototype"]);
const SHARED_PROTOTYPES = new Set([Object.prototype, Function.prototype]);

function notImplemented(name) {
  return new TypeError(`The RPC receiver does not implement the method "${name}".`);
}

function notAFunction(path) {
  return new TypeError(`"${path.join(".")}" is not a function.`);
}

// One step along a property path, with what Workers RPC exposes of `holder`: of a class instance
// (a WorkerEntrypoint, a Durable Object, an RpcTarget) what its prototypes define, so that own
// fields (`this.env`, `this.ctx`, private state) stay private; of a plain object or a function,
// its own properties; never what Object.prototype has. A stub answers for itself.
function rpcLookup(holder, name) {
  if (
    holder === null ||
    (typeof holder !== "object" && typeof holder !== "function") ||
    typeof name !== "string" ||
    FORBIDDEN_METHODS.has(name) ||
    FORBIDDEN_NAMES.has(name) ||
    SHARED_PROTOTYPES.has(holder)
  ) {
    throw notImplemented(name);
  }
  if (natives.isStub(holder)) return holder[name];
  const proto = Object.getPrototypeOf(holder);
  const own = Object.prototype.hasOwnProperty.call(holder, name);
  const plain = typeof holder === "function" || proto === Object.prototype || proto === null;
  if (plain ? !own : own || !(name in holder)) throw notImplemented(name);
  const value = holder[name];
  if (!own && name in Object.prototype && value === Object.prototype[name]) {
    throw notImplemented(name);
  }
  return value;
}

// Walks `path` from `value` (awaiting each step, since a getter may be async); a stub met on the
// way takes the rest of the path as one remote read or call.
async function walk(value, path) {
  let holder = value;
  for (const name of path) {
    const stub = natives.isStub(holder);
    holder = rpcLookup(holder, name);
    if (!stub) holder = await holder;
  }
  return holder;
}

// The callee's side of one RPC: a read or a call along a path from `root`.
async function rpcApply(root, method, args) {
  const { op, path } = decodeRpc(method);
  const last = path[path.length - 1];
  if (op === "call" && path.length === 1 && last === "" && typeof root === "function") {
    return root(...args);
  }
  const holder = await walk(root, path.slice(0, -1));
  const value = rpcLookup(holder, last);
  const viaStub = natives.isStub(holder);
  if (op === "get") {
    // A stub's property is read remotely; a method read as a value stays bound to its object,
    // so that the caller gets a callable stub.
    if (viaStub) return await value;
    return typeof value === "function" && !natives.isStub(value)
      ? ReflectApply(FunctionBind, value, [holder])
      : value;
  }
  if (op !== "call") throw new TypeError(`Unknown RPC operation "${op}".`);
  if (typeof value !== "function") throw notAFunction(path);
  return ReflectApply(value, holder, args);
}

// What an RPC call returns: usable before it resolves, as in Workers. `stub.a().b()` calls b on
// what a() returns and `await stub.a().x` reads x of it: on a returned stub the rest of the path
// is one remote call, on a returned value it is read with the callee's rules.
function pipelined(promise, path) {
  const settled = () => (path.length === 0 ? promise : promise.then((v) => walk(v, path)));
  return new Proxy(() => {}, {
    get(_, prop) {
      if (prop === "then") return (a, b) => settled().then(a, b);
      if (prop === "catch") return (b) => settled().catch(b);
      if (prop === "finally") return (f) => settled().finally(f);
      if (typeof prop === "symbol") return undefined;
      return pipelined(promise, [...path, prop]);
    },
    apply(_, thisArg, args) {
      const call = promise.then(async (value) => {
        if (path.length === 0) {
          // `stub.getCallback()(x)`: the result itself is called.
          if (typeof value !== "function") {
            throw new TypeError("The result of an RPC call is not a function.");
          }
          return ReflectApply(value, undefined, args);
        }
        const holder = await walk(value, path.slice(0, -1));
        const fn = rpcLookup(holder, path[path.length - 1]);
        if (typeof fn !== "function") throw notAFunction(path);
        return ReflectApply(fn, holder, args);
      });
      return pipelined(call, []);
    },
  });
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
    if (method.startsWith(RPC_ENCODED)) return rpcApply(exported, method, args);
    const fn = exported == null ? undefined : exported[method];
    if (typeof fn === "function" && !FORBIDDEN_METHODS.has(method) && args.length !== 1) {
      throw new TypeError(
        `Attempted to call RPC function "${method}" with the wrong number of arguments. When ` +
          "calling a top-level handler function that is not declared as part of a class, you " +
          "must always send exactly one argument. In order to support variable numbers of " +
          "arguments, the server must use class-based syntax (extending WorkerEntrypoint) " +
          "instead.");
    }
    return rpcApply(exported, method, [...args, env, ctx]);
  }
  return rpcApply(new exported(ctx, env), method, args);
};

internal.invokeTarget = (target, method, args) => rpcApply(target, method, args);

// A handler method of an object (a Durable Object instance): fetch(request), alarm()...
internal.callInstance = (instance, method, args) => {
  const fn = instance[method];
  if (typeof fn !== "function") {
    throw new TypeError(`Handler does not export a ${method}() function.`);
  }
  return fn.apply(instance, args);
};
