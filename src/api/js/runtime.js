// console, timers, queueMicrotask, structuredClone, crypto, performance, navigator and self.
// Values are formatted by inspect.js.

const { DOMException, finishClass, requireArgs, dictionary } = internal;
const {
  ReflectApply, ArrayIsArray, MathMax, TypedArrayPrototype, typedArrayTag, MapPrototypeEntries,
  SetPrototypeValues, mapSize, setSize, getter, brand, safe, enumerableKeys, inspect, inspectDepth,
  formatLogArgs, reportError,
} = internal.inspectKit;
// Taken before any user code runs: what reaches a tail's JSON must be JSON whatever a worker
// does to the global JSON object.
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;

// ---------------------------------------------------------------------------------------------
// console

let groupIndent = '';
const counts = new Map();
const timers = new Map();

// What a tail sees of a console call: the arguments themselves (Workers' TraceItem has
// `message: ["step", 1]`), as JSON; a value JSON cannot carry becomes its printed form.
function logArgsJson(args) {
  const values = [];
  for (const arg of args) {
    const type = typeof arg;
    if (arg instanceof Error) {
      // As workerd: the error's "Name: message" line here, the rest in `errorInfo`.
      values.push(errorLine(arg));
      continue;
    }
    if (arg === null || type === 'string' || type === 'boolean' ||
        (type === 'number' && Number.isFinite(arg))) {
      values.push(arg);
      continue;
    }
    if (type === 'object') {
      try {
        const json = JSONStringify(arg);
        if (json !== undefined) {
          values.push(JSONParse(json));
          continue;
        }
      } catch {
        // A cycle, a BigInt inside, a throwing toJSON: fall back to the printed form.
      }
    }
    values.push(formatLogArgs([arg]));
  }
  try {
    return JSONStringify(values);
  } catch {
    return undefined;
  }
}

internal.logArgsJson = logArgsJson;

function errorLine(error) {
  const name = error.name === undefined ? 'Error' : String(error.name);
  const message = error.message === undefined ? '' : String(error.message);
  if (name === '') return message;
  return message === '' ? name : `${name}: ${message}`;
}

// A stack's frames, as tails show them: without its "Name: message" line, and without kiln's
// own built-ins (they are not the tenant's code).
function stackFrames(stack) {
  if (typeof stack !== 'string') return '';
  const lines = stack.split('\n');
  let first = 0;
  while (first < lines.length && !lines[first].startsWith('    at ')) first++;
  return lines.slice(first).filter((line) => !line.includes('(kiln:internal/')).join('\n');
}
internal.stackFrames = stackFrames;

// The `errorInfo` of a log whose arguments include errors: {name, message, stack} for each
// error argument, null for the others; undefined when there is none.
internal.logErrorInfoJson = (args) => {
  if (!args.some((arg) => arg instanceof Error)) return undefined;
  try {
    return JSONStringify(args.map((arg) => (arg instanceof Error
      ? { name: String(arg.name), message: String(arg.message), stack: stackFrames(arg.stack) }
      : null)));
  } catch {
    return undefined;
  }
};

function emit(level, text, args = undefined) {
  if (groupIndent !== '') text = groupIndent + text.replace(/\n/g, `\n${groupIndent}`);
  natives.log(level, text, args);
}

function elapsedLabel(label) {
  const ms = natives.now() - timers.get(label);
  return ms >= 1000 ? `${label}: ${(ms / 1000).toFixed(3)}s` : `${label}: ${+ms.toFixed(3)}ms`;
}

function renderTable(data, properties) {
  const rows = [];
  const columns = [];
  const addColumn = (column) => {
    if (!columns.includes(column)) columns.push(column);
  };
  let hasValues = false;
  const entries = brand(mapSize, data) ? [...ReflectApply(MapPrototypeEntries, data, [])]
    : brand(setSize, data) ? [...ReflectApply(SetPrototypeValues, data, [])].map((v, i) => [i, v])
      : enumerableKeys(data, false).map((key) => [key, safe(() => data[key], undefined)]);
  for (const [key, value] of entries) {
    const entry = { index: typeof key === 'string' ? key : inspect(key), cells: new Map() };
    if (value !== null && typeof value === 'object') {
      for (const column of enumerableKeys(value, false)) {
        if (properties && !properties.includes(column)) continue;
        addColumn(column);
        entry.cells.set(column, inspect(safe(() => value[column], undefined), 0));
      }
    } else {
      hasValues = true;
      entry.value = inspect(value, 0);
    }
    rows.push(entry);
  }
  if (properties) for (const column of properties) addColumn(column);
  const header = ['(index)', ...columns.map((c) => (typeof c === 'string' ? c : inspect(c)))];
  if (hasValues) header.push('Values');
  const body = rows.map((row) => {
    const cells = [row.index, ...columns.map((c) => row.cells.get(c) || '')];
    if (hasValues) cells.push(row.value === undefined ? '' : row.value);
    return cells;
  });
  const widths = header.map((h, i) => {
    let width = h.length;
    for (const cells of body) width = MathMax(width, cells[i].length);
    return width + 2;
  });
  const center = (text, width) => {
    const left = Math.floor((width - text.length) / 2);
    return ' '.repeat(left) + text + ' '.repeat(width - text.length - left);
  };
  const line = (l, m, r) => l + widths.map((w) => '─'.repeat(w)).join(m) + r;
  const row = (cells) => `│${cells.map((cell, i) => center(cell, widths[i])).join('│')}│`;
  return [line('┌', '┬', '┐'), row(header), line('├', '┼', '┤'), ...body.map(row),
    line('└', '┴', '┘')].join('\n');
}

// Methods do not use `this`, so `const { log } = console` works as it does elsewhere.
const console = {
  log: (...args) => emit('log', formatLogArgs(args), args),
  info: (...args) => emit('info', formatLogArgs(args), args),
  debug: (...args) => emit('debug', formatLogArgs(args), args),
  warn: (...args) => emit('warn', formatLogArgs(args), args),
  error: (...args) => emit('error', formatLogArgs(args), args),
  dir: (value, options = undefined) => {
    const depth = safe(() => dictionary(options, 'console.dir').depth, undefined);
    emit('log', inspectDepth(value, depth));
  },
  dirxml: (...args) => emit('log', formatLogArgs(args)),
  table: (data = undefined, properties = undefined) => {
    if (data === null || typeof data !== 'object') {
      emit('log', formatLogArgs([data]));
      return;
    }
    const columns = ArrayIsArray(properties) ? properties.map((p) => `${p}`) : undefined;
    const text = safe(() => renderTable(data, columns), null);
    emit('log', text === null ? formatLogArgs([data]) : text);
  },
  trace: function trace(...args) {
    const holder = {};
    if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(holder, trace);
    else holder.stack = new Error().stack;
    const stack = typeof holder.stack === 'string' ? holder.stack.replace(/^[^\n]*/, '') : '';
    emit('log', `Trace${args.length > 0 ? `: ${formatLogArgs(args)}` : ''}${stack}`);
  },
  assert: (condition = false, ...data) => {
    if (condition) return;
    if (typeof data[0] === 'string') data[0] = `Assertion failed: ${data[0]}`;
    else data.unshift('Assertion failed');
    emit('error', formatLogArgs(data));
  },
  count: (label = 'default') => {
    label = `${label}`;
    const n = (counts.get(label) || 0) + 1;
    counts.set(label, n);
    emit('info', `${label}: ${n}`);
  },
  countReset: (label = 'default') => {
    label = `${label}`;
    if (counts.has(label)) counts.set(label, 0);
    else emit('warn', `Count for '${label}' does not exist`);
  },
  group: (...label) => {
    if (label.length > 0) emit('log', formatLogArgs(label));
    groupIndent += '  ';
  },
  groupCollapsed: (...label) => console.group(...label),
  groupEnd: () => {
    groupIndent = groupIndent.slice(0, -2);
  },
  time: (label = 'default') => {
    label = `${label}`;
    if (timers.has(label)) {
      emit('warn', `Label '${label}' already exists for console.time()`);
      return;
    }
    timers.set(label, natives.now());
  },
  timeLog: (label = 'default', ...data) => {
    label = `${label}`;
    if (!timers.has(label)) {
      emit('warn', `No such label '${label}' for console.timeLog()`);
      return;
    }
    emit('info', [elapsedLabel(label), ...(data.length > 0 ? [formatLogArgs(data)] : [])]
      .join(' '));
  },
  timeEnd: (label = 'default') => {
    label = `${label}`;
    if (!timers.has(label)) {
      emit('warn', `No such label '${label}' for console.timeEnd()`);
      return;
    }
    emit('info', elapsedLabel(label));
    timers.delete(label);
  },
  // Nothing to do without a devtools front end.
  clear: () => {},
  profile: () => {},
  profileEnd: () => {},
  timeStamp: () => {},
};
Object.defineProperty(console, Symbol.toStringTag, { value: 'console', configurable: true });

// ---------------------------------------------------------------------------------------------
// Timers and microtasks

// HTML's timeout argument is a `long`; negative, NaN and absent mean 0. Values past 2^31-1 are
// clamped (browsers wrap them around, which fires "infinite" timers immediately).
function timerDelay(delay) {
  const ms = Number(delay);
  if (!(ms > 0)) return 0;
  return ms > 2147483647 ? 2147483647 : Math.trunc(ms);
}

function startTimer(what, callback, delay, args, repeat) {
  if (typeof callback !== 'function') {
    // Strings would need eval, which kiln forbids.
    throw new TypeError(`Failed to execute '${what}': parameter 1 is not of type 'Function'.`);
  }
  const ms = timerDelay(delay);
  const id = natives.setTimer(() => {
    try {
      ReflectApply(callback, globalThis, args);
    } catch (error) {
      reportError(error);
    }
  }, ms, repeat);
  if (id === 0) {
    throw new DOMException('You have exceeded the number of active timeouts you may set, ' +
      'max active timeouts: 10000, current active timeouts: 10000, finished timeouts: 0',
      'QuotaExceededError');
  }
  return id;
}

function setTimeout(callback, delay = 0, ...args) {
  return startTimer('setTimeout', callback, delay, args, false);
}

function setInterval(callback, delay = 0, ...args) {
  return startTimer('setInterval', callback, delay, args, true);
}

function clearTimer(id) {
  // Browsers ignore anything that is not a live timer id, including undefined and objects.
  const n = typeof id === 'number' ? id : safe(() => Number(id), NaN);
  if (Number.isInteger(n) && n > 0) natives.clearTimer(n);
}

function clearTimeout(id = undefined) {
  clearTimer(id);
}

function clearInterval(id = undefined) {
  clearTimer(id);
}

const resolvedPromise = Promise.resolve();
const PromisePrototypeThen = Promise.prototype.then;

function queueMicrotask(callback) {
  requireArgs(arguments.length, 1, "Failed to execute 'queueMicrotask'");
  if (typeof callback !== 'function') {
    throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type " +
      "'Function'.");
  }
  ReflectApply(PromisePrototypeThen, resolvedPromise, [() => {
    try {
      callback();
    } catch (error) {
      reportError(error);
    }
  }]);
}

function structuredClone(value, options = undefined) {
  requireArgs(arguments.length, 1, "Failed to execute 'structuredClone'");
  const transfer = dictionary(options, "Failed to execute 'structuredClone'").transfer;
  let transferList = [];
  if (transfer !== undefined) {
    if (transfer === null || typeof transfer !== 'object' ||
        typeof transfer[Symbol.iterator] !== 'function') {
      throw new TypeError("Failed to execute 'structuredClone': The provided value cannot be " +
        'converted to a sequence.');
    }
    transferList = [...transfer];
    for (const item of transferList) {
      if (item === null || (typeof item !== 'object' && typeof item !== 'function')) {
        throw new TypeError("Failed to execute 'structuredClone': Value is not an object.");
      }
    }
  }
  try {
    return natives.structuredClone(value, transferList);
  } catch (error) {
    const name = safe(() => error.name, undefined);
    if (name === 'DataCloneError') {
      throw new DOMException(safe(() => `${error.message}`, 'Value could not be cloned'),
        'DataCloneError');
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// crypto, performance, navigator

const kConstruct = Symbol('kiln.construct');
const integerArrayTypes = new Set([
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'BigInt64Array', 'BigUint64Array',
]);
const typedArrayByteLength = getter(TypedArrayPrototype, 'byteLength');

class Crypto {
  constructor(token) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor');
  }

  // Not brand-checked, so that a detached `getRandomValues(array)` keeps working.
  getRandomValues(array) {
    requireArgs(arguments.length, 1, "Failed to execute 'getRandomValues' on 'Crypto'");
    if (!ArrayBuffer.isView(array)) {
      throw new TypeError("Failed to execute 'getRandomValues' on 'Crypto': parameter 1 is not " +
        "of type 'ArrayBufferView'.");
    }
    const type = ReflectApply(typedArrayTag, array, []);
    if (!integerArrayTypes.has(type)) {
      throw new DOMException("Failed to execute 'getRandomValues' on 'Crypto': The provided " +
        "ArrayBufferView is of type '" + (type || 'DataView') + "', which is not an integer " +
        'array type.', 'TypeMismatchError');
    }
    const byteLength = ReflectApply(typedArrayByteLength, array, []);
    if (byteLength > 65536) {
      throw new DOMException("Failed to execute 'getRandomValues' on 'Crypto': The " +
        `ArrayBufferView's byte length (${byteLength}) exceeds the number of bytes of entropy ` +
        'available via this API (65536).', 'QuotaExceededError');
    }
    natives.getRandomValues(array);
    return array;
  }

  randomUUID() {
    const bytes = new Uint8Array(16);
    natives.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex = '';
    for (let i = 0; i < 16; i++) {
      hex += bytes[i].toString(16).padStart(2, '0');
      if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
    }
    return hex;
  }

  // Filled in by a later built-in (Web Crypto) through internal.subtle.
  get subtle() {
    return internal.subtle;
  }
}
finishClass(Crypto);

class Performance {
  constructor(token) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor');
  }

  get timeOrigin() {
    return internal.timeOrigin;
  }

  now() {
    return natives.now() - internal.timeOrigin;
  }

  toJSON() {
    return { timeOrigin: internal.timeOrigin };
  }
}
finishClass(Performance);

class Navigator {
  constructor(token) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor');
  }

  // Workers' values: libraries detect the runtime by them (Hono's getRuntimeKey() reads
  // userAgent), so code written for Cloudflare takes its Workers path here too.
  get userAgent() {
    return 'Cloudflare-Workers';
  }

  get hardwareConcurrency() {
    return 1;
  }
}
finishClass(Navigator);

internal.structuredClone = structuredClone;
internal.queueMicrotask = queueMicrotask;

internal.defineGlobal('console', console);
internal.defineGlobal('reportError', {
  // A method, so that it is named "reportError" and is not a constructor.
  reportError(error) {
    requireArgs(arguments.length, 1, "Failed to execute 'reportError'");
    reportError(error);
  },
}.reportError);
internal.defineGlobal('setTimeout', setTimeout);
internal.defineGlobal('setInterval', setInterval);
internal.defineGlobal('clearTimeout', clearTimeout);
internal.defineGlobal('clearInterval', clearInterval);
internal.defineGlobal('queueMicrotask', queueMicrotask);
internal.defineGlobal('structuredClone', structuredClone);
internal.defineGlobal('Crypto', Crypto);
internal.defineGlobal('crypto', new Crypto(kConstruct));
internal.defineGlobal('Performance', Performance);
internal.defineGlobal('performance', new Performance(kConstruct));
internal.defineGlobal('Navigator', Navigator);
internal.defineGlobal('navigator', new Navigator(kConstruct));
internal.defineGlobal('self', globalThis);

// V8's Array.prototype.fill falls back to a C++ loop for huge arrays in dictionary mode
// (`new Array(1e9).fill(0)`): a loop no termination reaches, growing the heap past any limit.
// Arrays of that size take the JavaScript loop below, where the CPU and memory limits apply;
// everything else keeps V8's fast fill.
{
  const nativeFill = Array.prototype.fill;
  const kNativeFillMax = 1 << 24;
  const relative = (value, len, fallback) => {
    if (value === undefined) return fallback;
    const n = Math.trunc(Number(value)) || 0;
    return n < 0 ? MathMax(len + n, 0) : n > len ? len : n;
  };
  const { fill } = {
    fill(value) {
      const length = this !== null && this !== undefined ? this.length : 0;
      if (!(length > kNativeFillMax)) return ReflectApply(nativeFill, this, arguments);
      const object = Object(this);
      const len = Math.min(Math.trunc(Number(length)) || 0, Number.MAX_SAFE_INTEGER);
      const end = relative(arguments[2], len, len);
      for (let k = relative(arguments[1], len, 0); k < end; k++) object[k] = value;
      return object;
    },
  };
  Object.defineProperty(Array.prototype, 'fill', {
    value: fill, writable: true, enumerable: false, configurable: true,
  });
}
