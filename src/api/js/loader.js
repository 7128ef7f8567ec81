// The Worker Loader API (`env.LOADER`): load(), get(), WorkerStub and the checks on WorkerCode.
// The C++ half (src/loader/) hands us a native loader handle per binding; everything a user
// passes is validated here first, so that mistakes surface as a TypeError naming the field.

const MAX_CODE_BYTES = 64 * 1024 * 1024;
const MODULE_KINDS = ["js", "cjs", "text", "data", "json"];
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const kHandle = Symbol("handle");

function typeError(message) {
  return new TypeError(message);
}

function describe(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function unsupportedModule(name, what) {
  return typeError(
    `WorkerCode.modules["${name}"]: ${what} are not supported by kiln. Compile the module to ` +
      `JavaScript first (for example with esbuild) and pass it as a .js module.`,
  );
}

function checkModuleName(name) {
  if (/\.(ts|tsx|jsx|mts|cts)$/.test(name)) throw unsupportedModule(name, "TypeScript and JSX modules");
  if (/\.py$/.test(name)) throw unsupportedModule(name, "Python modules");
}

function bytesOf(value, field) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  }
  throw typeError(`${field} must be an ArrayBuffer or ArrayBufferView, got ${describe(value)}.`);
}

// -> [name, kind, content] where content is a string, or a Uint8Array for data modules.
function normalizeModule(name, value) {
  checkModuleName(name);
  const field = `WorkerCode.modules["${name}"]`;
  if (typeof value === "string") {
    if (/\.(js|mjs)$/.test(name)) return [name, "js", value];
    if (/\.cjs$/.test(name)) return [name, "cjs", value];
    throw typeError(
      `${field}: a module given as a plain string must have a name ending in ".js"; to import ` +
        `other content give an object such as {text: "..."}, {json: {...}} or {data: bytes}.`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw typeError(`${field} must be a string or an object like {js: "..."}, got ${describe(value)}.`);
  }
  const keys = Object.keys(value);
  if (keys.includes("py")) throw unsupportedModule(name, "Python modules");
  if (keys.length !== 1 || !MODULE_KINDS.includes(keys[0])) {
    throw typeError(
      `${field} must have exactly one of the keys ${MODULE_KINDS.join(", ")}; got ` +
        `${keys.length === 0 ? "none" : keys.join(", ")}.`,
    );
  }
  const kind = keys[0];
  const content = value[kind];
  switch (kind) {
    case "js":
    case "cjs":
    case "text":
      if (typeof content !== "string") {
        throw typeError(`${field}.${kind} must be a string, got ${describe(content)}.`);
      }
      return [name, kind, content];
    case "data":
      return [name, kind, bytesOf(content, `${field}.data`)];
    case "json": {
      let text;
      try {
        text = JSON.stringify(content);
      } catch (e) {
        throw typeError(`${field}.json must be JSON-serializable: ${e.message}`);
      }
      if (text === undefined) throw typeError(`${field}.json must be JSON-serializable.`);
      return [name, kind, text];
    }
  }
  throw typeError(`${field}: unknown module kind.`);
}

function normalizeLimits(limits, field) {
  if (limits === undefined) return {};
  if (limits === null || typeof limits !== "object") {
    throw typeError(`${field} must be an object like {cpuMs: 50, subRequests: 10}.`);
  }
  const out = {};
  for (const key of ["cpuMs", "subRequests"]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value > 0) || value > 2 ** 31) {
      throw typeError(`${field}.${key} must be a positive number, got ${String(value)}.`);
    }
    out[key] = Math.ceil(value);
  }
  return out;
}

// Checks a WorkerCode and turns it into the descriptor the native loader takes. Throws a
// TypeError naming the first bad field.
function normalizeWorkerCode(code, handle) {
  if (code === null || typeof code !== "object") {
    throw typeError(`WorkerCode must be an object, got ${describe(code)}.`);
  }
  const { compatibilityDate, compatibilityFlags, allowExperimental, mainModule, modules } = code;
  if (typeof compatibilityDate !== "string" || !DATE_PATTERN.test(compatibilityDate)) {
    throw typeError(
      `WorkerCode.compatibilityDate is required and must be a date string like "2026-01-31", ` +
        `got ${compatibilityDate === undefined ? "nothing" : JSON.stringify(compatibilityDate)}.`,
    );
  }
  let flags = [];
  if (compatibilityFlags !== undefined) {
    if (!Array.isArray(compatibilityFlags) || compatibilityFlags.some((f) => typeof f !== "string")) {
      throw typeError("WorkerCode.compatibilityFlags must be an array of strings.");
    }
    flags = [...compatibilityFlags];
  }
  if (allowExperimental !== undefined && typeof allowExperimental !== "boolean") {
    throw typeError("WorkerCode.allowExperimental must be a boolean.");
  }
  if (modules === null || typeof modules !== "object" || Array.isArray(modules)) {
    throw typeError(
      `WorkerCode.modules must be an object mapping module names to code, got ${describe(modules)}.`,
    );
  }
  const names = Object.keys(modules);
  if (names.length === 0) throw typeError("WorkerCode.modules must contain at least one module.");
  if (typeof mainModule !== "string") {
    throw typeError(`WorkerCode.mainModule is required and must be a string naming a module.`);
  }
  if (!names.includes(mainModule)) {
    throw typeError(
      `WorkerCode.mainModule "${mainModule}" is not one of the keys of WorkerCode.modules ` +
        `(${names.map((n) => JSON.stringify(n)).join(", ")}).`,
    );
  }
  let total = 0;
  const list = names.map((name) => {
    const module = normalizeModule(name, modules[name]);
    total += typeof module[2] === "string" ? module[2].length : module[2].byteLength;
    return module;
  });
  if (total > MAX_CODE_BYTES) {
    throw typeError(
      `WorkerCode.modules add up to ${total} bytes, over kiln's limit of ${MAX_CODE_BYTES} (64 MiB).`,
    );
  }
  const mainKind = list.find((m) => m[0] === mainModule)[1];
  if (mainKind !== "js" && mainKind !== "cjs") {
    throw typeError(`WorkerCode.mainModule "${mainModule}" must be a JavaScript module.`);
  }
  const tails = normalizeTails(code.tails, "tails");
  const streamingTails = normalizeTails(code.streamingTails, "streamingTails");
  let outbound = "inherit";
  if (code.globalOutbound === null) {
    outbound = null;
  } else if (code.globalOutbound !== undefined) {
    if (!natives.isStub(code.globalOutbound)) {
      throw typeError(
        "WorkerCode.globalOutbound must be null or a service stub (a service binding or a " +
          "ctx.exports entrypoint).",
      );
    }
    outbound = natives.plainStub(code.globalOutbound);
  }
  let env;
  if (code.env !== undefined) {
    if (code.env === null || typeof code.env !== "object") {
      throw typeError(`WorkerCode.env must be an object, got ${describe(code.env)}.`);
    }
    // DataCloneError for what cannot cross; RpcTargets and functions go by reference.
    env = handle.serializeEnv(internal.prepareEnvForTransfer(code.env));
  }
  return {
    compatibilityDate,
    compatibilityFlags: flags,
    mainModule,
    modules: list,
    env,
    globalOutbound: outbound,
    limits: normalizeLimits(code.limits, "WorkerCode.limits"),
    tails,
    streamingTails,
  };
}

function normalizeTails(list, field) {
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.some((t) => !natives.isStub(t))) {
    throw typeError(`WorkerCode.${field} must be an array of service stubs (e.g. ` +
      "ctx.exports.LogTailer({props})).");
  }
  return list.map((t) => natives.plainStub(t));
}

class WorkerStub {
  constructor(key, handle) {
    if (key !== kHandle) throw new TypeError("Illegal constructor.");
    this[kHandle] = handle;
  }

  getEntrypoint(name = undefined, options = undefined) {
    if (name !== undefined && name !== null && typeof name !== "string") {
      throw typeError("getEntrypoint(name): name must be a string or undefined.");
    }
    let props;
    let limits = {};
    if (options !== undefined && options !== null) {
      if (typeof options !== "object") throw typeError("getEntrypoint(name, options): options must be an object.");
      if (options.props !== undefined) {
        props = JSON.stringify(options.props);
        if (props === undefined) throw typeError("getEntrypoint options.props must be JSON-serializable.");
      }
      limits = normalizeLimits(options.limits, "getEntrypoint options.limits");
    }
    return this[kHandle].getEntrypoint(name ?? undefined, props, limits);
  }

  getDurableObjectClass(name) {
    if (typeof name !== "string" || name.length === 0) {
      throw typeError("getDurableObjectClass(name): name must be the name of an exported class.");
    }
    // An opaque handle: only ctx.facets.get() can instantiate it.
    return this[kHandle].getDurableObjectClass(name);
  }
}
Object.defineProperty(WorkerStub.prototype, Symbol.toStringTag, { value: "WorkerStub" });

class WorkerLoader {
  constructor(key, handle) {
    if (key !== kHandle) throw new TypeError("Illegal constructor.");
    this[kHandle] = handle;
  }

  load(code) {
    const handle = this[kHandle];
    const desc = normalizeWorkerCode(code, handle);
    return new WorkerStub(kHandle, handle.load(desc));
  }

  get(id, getCode) {
    // null: an anonymous worker, started from the callback's code but never cached (workerd).
    if (id !== null && (typeof id !== "string" || id.length === 0)) {
      throw typeError("get(id, callback): id must be a non-empty string, or null.");
    }
    if (typeof getCode !== "function") {
      throw typeError("get(id, callback): callback must be a function returning WorkerCode.");
    }
    const handle = this[kHandle];
    // Runs only when the loader has no warm worker for `id`.
    const produce = async () => normalizeWorkerCode(await getCode(), handle);
    return new WorkerStub(kHandle, handle.get(id, produce));
  }
}
Object.defineProperty(WorkerLoader.prototype, Symbol.toStringTag, { value: "WorkerLoader" });

internal.makeWorkerLoader = (handle) => new WorkerLoader(kHandle, handle);
