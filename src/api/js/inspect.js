// Formatting values for console and error reports, in the style of Node's util.inspect:
// captured intrinsics (so user code replacing prototype methods cannot break or hijack it),
// inspect(), console's format-string handling (formatLogArgs) and reportError. Evaluated before
// runtime.js, which takes what it needs from internal.inspectKit.

const { inspectHooks, inspectSymbol } = internal;

// Captured before user code runs, so that formatting keeps working (and cannot be hijacked)
// when user code replaces built-in prototype methods.
const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const ReflectGetPrototypeOf = Reflect.getPrototypeOf;
const ObjectPrototype = Object.prototype;
const ObjectPrototypeToString = Object.prototype.toString;
const ArrayIsArray = Array.isArray;
const ArrayFrom = Array.from;
const FunctionPrototypeToString = Function.prototype.toString;
const ErrorPrototypeToString = Error.prototype.toString;
const SymbolPrototypeToString = Symbol.prototype.toString;
const DatePrototypeGetTime = Date.prototype.getTime;
const DatePrototypeToISOString = Date.prototype.toISOString;
const RegExpPrototypeToString = RegExp.prototype.toString;
const regExpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source').get;
const JSONStringify = JSON.stringify;
const NumberIsNaN = Number.isNaN;
const MathMax = Math.max;

function getter(proto, name) {
  return ReflectGetOwnPropertyDescriptor(proto, name).get;
}
const TypedArrayPrototype = ReflectGetPrototypeOf(Uint8Array.prototype);
const typedArrayTag = getter(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayLength = getter(TypedArrayPrototype, 'length');
const mapSize = getter(Map.prototype, 'size');
const setSize = getter(Set.prototype, 'size');
const MapPrototypeEntries = Map.prototype.entries;
const SetPrototypeValues = Set.prototype.values;
const MapIteratorNext = ReflectGetPrototypeOf(new Map().entries()).next;
const SetIteratorNext = ReflectGetPrototypeOf(new Set().values()).next;
const WeakMapPrototypeHas = WeakMap.prototype.has;
const WeakSetPrototypeHas = WeakSet.prototype.has;
const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
// SharedArrayBuffer appears only once a context is created from the startup snapshot.
let sharedArrayBufferByteLengthCache;
function sharedArrayBufferByteLength() {
  if (sharedArrayBufferByteLengthCache === undefined) {
    sharedArrayBufferByteLengthCache = typeof SharedArrayBuffer === 'function'
      ? getter(SharedArrayBuffer.prototype, 'byteLength') : null;
  }
  return sharedArrayBufferByteLengthCache;
}
const dataViewByteLength = getter(DataView.prototype, 'byteLength');
const dataViewByteOffset = getter(DataView.prototype, 'byteOffset');
const dataViewBuffer = getter(DataView.prototype, 'buffer');
const boxedValueOf = [
  ['Number', Number.prototype.valueOf],
  ['String', String.prototype.valueOf],
  ['Boolean', Boolean.prototype.valueOf],
  ['Symbol', Symbol.prototype.valueOf],
  ['BigInt', BigInt.prototype.valueOf],
];
const AsyncFunctionPrototype = ReflectGetPrototypeOf(async () => {});
const GeneratorFunctionPrototype = ReflectGetPrototypeOf(function* generator() {});
const AsyncGeneratorFunctionPrototype = ReflectGetPrototypeOf(async function* generator() {});
const builtinToStringOwners = new Set([
  Object.prototype, Error.prototype, Array.prototype, Date.prototype, RegExp.prototype,
  Function.prototype,
]);

// Calls a brand-checking built-in; false if `value` is not of that kind (it throws then).
function brand(fn, value) {
  try {
    ReflectApply(fn, value, []);
    return true;
  } catch {
    return false;
  }
}

function isWeakCollection(value) {
  for (const has of [WeakMapPrototypeHas, WeakSetPrototypeHas]) {
    try {
      ReflectApply(has, value, [ObjectPrototype]);
      return true;
    } catch {
      // Not this kind.
    }
  }
  return false;
}

function safe(fn, fallback) {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

// ---------------------------------------------------------------------------------------------
// inspect: a Node-like rendering of any value.

const kDefaultDepth = 2;
const kMaxArrayItems = 100;
const kMaxStringLength = 10000;
const kBreakLength = 80;

function quoteString(s) {
  if (s.length > kMaxStringLength) {
    return `${quoteString(s.slice(0, kMaxStringLength))}... ${s.length - kMaxStringLength} ` +
      'more characters';
  }
  // Like Node: single quotes unless the string contains them.
  let quote = "'";
  if (s.includes("'")) {
    if (!s.includes('"')) quote = '"';
    else if (!s.includes('`') && !s.includes('${')) quote = '`';
  }
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0').toUpperCase()}`;
    else out += ch;
  }
  return quote + out + quote;
}

function formatNumber(n) {
  return Object.is(n, -0) ? '-0' : `${n}`;
}

function formatPrimitive(value) {
  switch (typeof value) {
    case 'string': return quoteString(value);
    case 'number': return formatNumber(value);
    case 'bigint': return `${value}n`;
    case 'symbol': return ReflectApply(SymbolPrototypeToString, value, []);
    default: return `${value}`; // undefined, boolean
  }
}

function formatKey(key) {
  if (typeof key === 'symbol') return `[${ReflectApply(SymbolPrototypeToString, key, [])}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : quoteString(key);
}

// The name of the nearest constructor on the prototype chain, read without running getters.
// null for objects without a prototype.
function constructorName(obj) {
  let proto = obj;
  for (let i = 0; proto !== null && i < 1000; i++) {
    const desc = ReflectGetOwnPropertyDescriptor(proto, 'constructor');
    if (desc !== undefined && typeof desc.value === 'function') {
      const nameDesc = ReflectGetOwnPropertyDescriptor(desc.value, 'name');
      if (nameDesc !== undefined && typeof nameDesc.value === 'string' && nameDesc.value !== '') {
        return nameDesc.value;
      }
    }
    proto = ReflectGetPrototypeOf(proto);
  }
  return ReflectGetPrototypeOf(obj) === null ? null : 'Object';
}

function toStringTagOf(obj) {
  // An own @@toStringTag is listed among the properties instead.
  if (ReflectGetOwnPropertyDescriptor(obj, Symbol.toStringTag) !== undefined) return '';
  // Reading it may run a getter; a throwing one just means "no tag".
  const tag = safe(() => obj[Symbol.toStringTag], undefined);
  return typeof tag === 'string' ? tag : '';
}

function isError(obj) {
  if (safe(() => obj instanceof Error, false)) return true;
  return safe(() => ReflectApply(ObjectPrototypeToString, obj, []) === '[object Error]', false);
}

// One entry `key: value` for an own property, without invoking accessors.
function formatProperty(ctx, obj, key, depth) {
  const desc = ReflectGetOwnPropertyDescriptor(obj, key);
  if (desc === undefined) return null;
  let value;
  if ('value' in desc) {
    value = formatValue(ctx, desc.value, depth + 1);
  } else if (desc.get !== undefined) {
    value = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
  } else {
    value = desc.set !== undefined ? '[Setter]' : 'undefined';
  }
  return `${formatKey(key)}: ${value}`;
}

// Own enumerable keys (strings then symbols), optionally skipping array indexes.
function enumerableKeys(obj, skipIndexes) {
  const keys = [];
  for (const key of ReflectOwnKeys(obj)) {
    if (skipIndexes && typeof key === 'string' && /^(0|[1-9][0-9]*)$/.test(key)) continue;
    const desc = ReflectGetOwnPropertyDescriptor(obj, key);
    if (desc !== undefined && desc.enumerable) keys.push(key);
  }
  return keys;
}

function formatValue(ctx, value, depth) {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(value);
  const seenIndex = ctx.seen.indexOf(value);
  if (seenIndex !== -1) {
    let ref = ctx.circular.get(value);
    if (ref === undefined) {
      ref = ctx.circular.size + 1;
      ctx.circular.set(value, ref);
    }
    return `[Circular *${ref}]`;
  }
  ctx.seen.push(value);
  let result;
  try {
    result = formatObject(ctx, value, depth);
  } catch {
    // Revoked proxies, throwing traps and the like: say so instead of failing the whole log.
    result = '[object (unformattable)]';
  } finally {
    ctx.seen.pop();
  }
  const ref = ctx.circular.get(value);
  return ref === undefined ? result : `<ref *${ref}> ${result}`;
}

function formatFunction(fn) {
  const nameDesc = ReflectGetOwnPropertyDescriptor(fn, 'name');
  const name = nameDesc && typeof nameDesc.value === 'string' ? nameDesc.value : '';
  const source = safe(() => ReflectApply(FunctionPrototypeToString, fn, []), '');
  if (/^class\b/.test(source)) {
    let out = `[class ${name || '(anonymous)'}`;
    const parent = ReflectGetPrototypeOf(fn);
    if (typeof parent === 'function' && parent !== Function.prototype) {
      const parentName = ReflectGetOwnPropertyDescriptor(parent, 'name');
      if (parentName && parentName.value) out += ` extends ${parentName.value}`;
    }
    return `${out}]`;
  }
  const proto = ReflectGetPrototypeOf(fn);
  let type = 'Function';
  if (proto === AsyncFunctionPrototype) type = 'AsyncFunction';
  else if (proto === GeneratorFunctionPrototype) type = 'GeneratorFunction';
  else if (proto === AsyncGeneratorFunctionPrototype) type = 'AsyncGeneratorFunction';
  return name ? `[${type}: ${name}]` : `[${type} (anonymous)]`;
}

function formatError(ctx, err, depth) {
  const stack = safe(() => err.stack, undefined);
  let out = typeof stack === 'string' && stack !== ''
    ? stack
    : safe(() => ReflectApply(ErrorPrototypeToString, err, []), '') || '[Error]';
  if (depth > 0 && !/^\s*at /m.test(out)) out = `[${out}]`;
  const entries = [];
  for (const key of enumerableKeys(err, false)) {
    if (key === 'stack' || key === 'message') continue;
    const entry = formatProperty(ctx, err, key, depth);
    if (entry !== null) entries.push(entry);
  }
  for (const key of ['cause', 'errors']) {
    const desc = ReflectGetOwnPropertyDescriptor(err, key);
    if (desc !== undefined && !desc.enumerable && 'value' in desc) {
      entries.push(`[${key}]: ${formatValue(ctx, desc.value, depth + 1)}`);
    }
  }
  if (entries.length === 0) return out;
  return reduceToSingleString(ctx, entries, `${out} `, ['{', '}'], depth);
}

function formatArrayEntries(ctx, arr, length, depth) {
  const out = [];
  const shown = Math.min(length, kMaxArrayItems);
  for (let i = 0; i < shown; i++) {
    const desc = ReflectGetOwnPropertyDescriptor(arr, `${i}`);
    if (desc === undefined) {
      let holes = 1;
      while (i + holes < length && ReflectGetOwnPropertyDescriptor(arr, `${i + holes}`) ===
        undefined) {
        holes++;
      }
      out.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
      i += holes - 1;
    } else if ('value' in desc) {
      out.push(formatValue(ctx, desc.value, depth + 1));
    } else {
      out.push(desc.set !== undefined ? '[Getter/Setter]' : '[Getter]');
    }
  }
  if (length > shown) out.push(`... ${length - shown} more item${length - shown > 1 ? 's' : ''}`);
  return out;
}

function inspectHookFor(obj) {
  let proto = ReflectGetPrototypeOf(obj);
  for (let i = 0; proto !== null && i < 100; i++) {
    const hook = inspectHooks.get(proto);
    if (hook !== undefined) return hook;
    proto = ReflectGetPrototypeOf(proto);
  }
  const method = safe(() => obj[inspectSymbol], undefined);
  return typeof method === 'function' ? (value) => ReflectApply(method, value, []) : undefined;
}

function formatObject(ctx, obj, depth) {
  // Built-ins with private state describe themselves.
  if (typeof obj === 'object') {
    const hook = inspectHookFor(obj);
    if (hook !== undefined) {
      const shown = hook(obj);
      const name = constructorName(obj) || 'Object';
      if (depth > ctx.depth) return `[${name}]`;
      if (brand(mapSize, shown)) {
        const entries = [];
        const iterator = ReflectApply(MapPrototypeEntries, shown, []);
        for (let step; !(step = ReflectApply(MapIteratorNext, iterator, [])).done;) {
          entries.push(`${formatValue(ctx, step.value[0], depth + 1)} => ` +
            formatValue(ctx, step.value[1], depth + 1));
        }
        return reduceToSingleString(ctx, entries, `${name} `, ['{', '}'], depth);
      }
      const entries = [];
      for (const key of ReflectOwnKeys(shown)) {
        entries.push(formatProperty(ctx, shown, key, depth));
      }
      return reduceToSingleString(ctx, entries, `${name} `, ['{', '}'], depth);
    }
  }

  const name = constructorName(obj);
  const tag = toStringTagOf(obj);
  // e.g. "Foo", "Object [Tag]", "[Object: null prototype]".
  let prefix;
  if (name === null) prefix = `[Object: null prototype]${tag ? ` [${tag}]` : ''}`;
  else if (tag && tag !== name) prefix = `${name} [${tag}]`;
  else prefix = name;
  const tooDeep = depth > ctx.depth;

  if (typeof obj === 'function') {
    const base = formatFunction(obj);
    const keys = enumerableKeys(obj, false);
    if (keys.length === 0) return base;
    if (tooDeep) return base;
    const entries = keys.map((key) => formatProperty(ctx, obj, key, depth));
    return reduceToSingleString(ctx, entries, `${base} `, ['{', '}'], depth);
  }

  if (ArrayIsArray(obj)) {
    if (tooDeep) return '[Array]';
    const lengthDesc = ReflectGetOwnPropertyDescriptor(obj, 'length');
    const length = lengthDesc && typeof lengthDesc.value === 'number' ? lengthDesc.value : 0;
    const entries = formatArrayEntries(ctx, obj, length, depth);
    for (const key of enumerableKeys(obj, true)) entries.push(formatProperty(ctx, obj, key, depth));
    const arrayPrefix = name === 'Array' && !tag ? '' : `${prefix}(${length}) `;
    return reduceToSingleString(ctx, entries, arrayPrefix, ['[', ']'], depth, true);
  }

  const typedName = ReflectApply(typedArrayTag, obj, []);
  if (typedName !== undefined) {
    const length = ReflectApply(typedArrayLength, obj, []);
    if (tooDeep) return `[${typedName}]`;
    const entries = [];
    for (let i = 0; i < Math.min(length, kMaxArrayItems); i++) {
      entries.push(formatPrimitive(obj[i]));
    }
    if (length > kMaxArrayItems) entries.push(`... ${length - kMaxArrayItems} more items`);
    return reduceToSingleString(ctx, entries, `${name || typedName}(${length}) `, ['[', ']'],
      depth, true);
  }

  if (brand(mapSize, obj)) {
    if (tooDeep) return `[${prefix}]`;
    const entries = [];
    const iterator = ReflectApply(MapPrototypeEntries, obj, []);
    for (let i = 0; ; i++) {
      const step = ReflectApply(MapIteratorNext, iterator, []);
      if (step.done) break;
      if (i >= kMaxArrayItems) {
        entries.push('...');
        break;
      }
      entries.push(`${formatValue(ctx, step.value[0], depth + 1)} => ` +
        formatValue(ctx, step.value[1], depth + 1));
    }
    for (const key of enumerableKeys(obj, false)) {
      entries.push(formatProperty(ctx, obj, key, depth));
    }
    return reduceToSingleString(ctx, entries, `${prefix}(${ReflectApply(mapSize, obj, [])}) `,
      ['{', '}'], depth);
  }

  if (brand(setSize, obj)) {
    if (tooDeep) return `[${prefix}]`;
    const entries = [];
    const iterator = ReflectApply(SetPrototypeValues, obj, []);
    for (let i = 0; ; i++) {
      const step = ReflectApply(SetIteratorNext, iterator, []);
      if (step.done) break;
      if (i >= kMaxArrayItems) {
        entries.push('...');
        break;
      }
      entries.push(formatValue(ctx, step.value, depth + 1));
    }
    for (const key of enumerableKeys(obj, false)) {
      entries.push(formatProperty(ctx, obj, key, depth));
    }
    return reduceToSingleString(ctx, entries, `${prefix}(${ReflectApply(setSize, obj, [])}) `,
      ['{', '}'], depth, true);
  }

  if (isError(obj)) return formatError(ctx, obj, depth);

  // Types that print as a single token (plus their own properties, if any).
  let base = null;
  if (brand(DatePrototypeGetTime, obj)) {
    base = NumberIsNaN(ReflectApply(DatePrototypeGetTime, obj, []))
      ? 'Invalid Date' : ReflectApply(DatePrototypeToISOString, obj, []);
  } else if (obj !== RegExp.prototype && brand(regExpSource, obj)) {
    base = ReflectApply(RegExpPrototypeToString, obj, []);
  } else {
    for (const [boxName, valueOf] of boxedValueOf) {
      if (brand(valueOf, obj)) {
        base = `[${boxName}: ${formatPrimitive(ReflectApply(valueOf, obj, []))}]`;
        break;
      }
    }
  }
  if (base !== null) {
    const keys = enumerableKeys(obj, false);
    // A String object's characters are own enumerable index properties; do not repeat them.
    const extra = keys.filter((key) => !(typeof key === 'string' && /^[0-9]+$/.test(key)));
    if (extra.length === 0 || tooDeep) return base;
    return reduceToSingleString(ctx, extra.map((key) => formatProperty(ctx, obj, key, depth)),
      `${base} `, ['{', '}'], depth);
  }

  if (tooDeep) return `[${name === null ? 'Object: null prototype' : prefix}]`;
  const entries = [];
  if (brand(arrayBufferByteLength, obj) ||
      (sharedArrayBufferByteLength() !== null && brand(sharedArrayBufferByteLength(), obj))) {
    const length = brand(arrayBufferByteLength, obj)
      ? ReflectApply(arrayBufferByteLength, obj, [])
      : ReflectApply(sharedArrayBufferByteLength(), obj, []);
    const bytes = new Uint8Array(obj, 0, Math.min(length, 50));
    let hex = '';
    for (let i = 0; i < bytes.length; i++) {
      hex += `${i > 0 ? ' ' : ''}${bytes[i].toString(16).padStart(2, '0')}`;
    }
    if (length > 50) hex += ` ... ${length - 50} more byte${length - 50 > 1 ? 's' : ''}`;
    entries.push(`[Uint8Contents]: <${hex}>`, `byteLength: ${length}`);
  } else if (brand(dataViewByteLength, obj)) {
    entries.push(`byteLength: ${ReflectApply(dataViewByteLength, obj, [])}`,
      `byteOffset: ${ReflectApply(dataViewByteOffset, obj, [])}`,
      `buffer: ${formatValue(ctx, ReflectApply(dataViewBuffer, obj, []), depth + 1)}`);
  } else if (isWeakCollection(obj)) {
    entries.push('<items unknown>');
  }
  for (const key of enumerableKeys(obj, false)) {
    const entry = formatProperty(ctx, obj, key, depth);
    if (entry !== null) entries.push(entry);
  }
  const plainPrefix = name === 'Object' && !tag ? '' : `${prefix} `;
  return reduceToSingleString(ctx, entries, plainPrefix, ['{', '}'], depth);
}

// Puts entries on one line when that fits in ~80 columns, else one per line (or, for long
// lists of short items such as numbers, in aligned columns).
function reduceToSingleString(ctx, entries, prefix, braces, depth, isList = false) {
  if (entries.length === 0) return `${prefix}${braces[0]}${braces[1]}`;
  const indentation = depth * 2;
  let total = prefix.length + indentation + braces[0].length + 2;
  let multiline = false;
  for (const entry of entries) {
    total += entry.length + 2;
    if (entry.includes('\n')) multiline = true;
  }
  if (!multiline && total <= kBreakLength) {
    return `${prefix}${braces[0]} ${entries.join(', ')} ${braces[1]}`;
  }
  let lines = entries;
  if (isList && !multiline && entries.length > 6) lines = groupColumns(entries, indentation);
  const body = lines.map((line) => line.replace(/\n/g, '\n  ')).join(',\n  ');
  return `${prefix}${braces[0]}\n  ${body}\n${braces[1]}`;
}

function groupColumns(entries, indentation) {
  // A trailing "... N more items" stays on a line of its own.
  const more = /^\.\.\. \d+ more item/.test(entries[entries.length - 1]) ? entries.pop() : null;
  let maxLength = 0;
  for (const entry of entries) maxLength = MathMax(maxLength, entry.length);
  const columns = Math.min(16, Math.floor((kBreakLength - indentation - 2) / (maxLength + 2)));
  if (maxLength > 16 || columns <= 1) {
    if (more !== null) entries.push(more);
    return entries;
  }
  const numeric = entries.every((entry) => /^-?[0-9]/.test(entry));
  const rows = [];
  for (let i = 0; i < entries.length; i += columns) {
    const row = entries.slice(i, i + columns).map((entry, j, all) => {
      if (numeric) return entry.padStart(maxLength);
      return j === all.length - 1 ? entry : entry.padEnd(maxLength);
    });
    rows.push(row.join(', '));
  }
  if (more !== null) rows.push(more);
  return rows;
}

function inspect(value, depth = kDefaultDepth) {
  const ctx = { seen: [], circular: new Map(), depth };
  return formatValue(ctx, value, 0);
}

// ---------------------------------------------------------------------------------------------
// printf-style formatting of console arguments

function hasUserToString(obj) {
  let proto = obj;
  for (let i = 0; proto !== null && i < 1000; i++) {
    if (builtinToStringOwners.has(proto)) return false;
    const desc = ReflectGetOwnPropertyDescriptor(proto, 'toString');
    if (desc !== undefined) return true;
    proto = ReflectGetPrototypeOf(proto);
  }
  return false;
}

function formatStringArg(arg) {
  if (typeof arg === 'number') return formatNumber(arg);
  if (typeof arg === 'bigint') return `${arg}n`;
  if (typeof arg === 'symbol') return ReflectApply(SymbolPrototypeToString, arg, []);
  if (arg !== null && typeof arg === 'object' && !safe(() => hasUserToString(arg), false)) {
    return inspect(arg, 0);
  }
  try {
    return `${arg}`;
  } catch {
    return inspect(arg, 0);
  }
}

function formatNumberArg(arg, parse) {
  if (typeof arg === 'bigint') return `${arg}n`;
  if (typeof arg === 'symbol') return 'NaN';
  try {
    return formatNumber(parse(arg));
  } catch {
    return 'NaN';
  }
}

function formatJSONArg(arg) {
  try {
    const json = JSONStringify(arg);
    return json === undefined ? 'undefined' : json;
  } catch (error) {
    return /circular/i.test(safe(() => `${error.message}`, '')) ? '[Circular]' : '[Unserializable]';
  }
}

function formatLogArgs(args) {
  try {
    args = ArrayFrom(args);
    let out = '';
    let next = 0;
    const first = args[0];
    if (typeof first === 'string') {
      next = 1;
      if (args.length === 1) return first;
      let last = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) !== 37 /* % */) continue;
        const spec = first[i + 1];
        if (spec === '%') {
          out += `${first.slice(last, i)}%`;
          last = i + 2;
          i++;
          continue;
        }
        if (next >= args.length) continue;
        let text;
        const arg = args[next];
        switch (spec) {
          case 's': text = formatStringArg(arg); break;
          case 'd': text = formatNumberArg(arg, Number); break;
          // No radix, as in Node: "%i" of '0x10' is 16.
          case 'i': text = formatNumberArg(arg, (v) => parseInt(v)); break;
          case 'f': text = formatNumberArg(arg, (v) => parseFloat(v)); break;
          case 'j': text = formatJSONArg(arg); break;
          case 'o': text = inspect(arg, 4); break;
          case 'O': text = inspect(arg); break;
          case 'c': text = ''; break; // CSS styling means nothing in a log line.
          default: continue;
        }
        out += first.slice(last, i) + text;
        last = i + 2;
        i++;
        next++;
      }
      out += first.slice(last);
    }
    for (; next < args.length; next++) {
      const arg = args[next];
      if (next > 0) out += ' ';
      out += typeof arg === 'string' ? arg : inspect(arg);
    }
    return out;
  } catch {
    return '[unformattable log arguments]';
  }
}
internal.formatLogArgs = formatLogArgs;
internal.inspect = (value) => {
  try {
    return inspect(value);
  } catch {
    return '[unformattable value]';
  }
};

const inspectDepth = (value, depth) => {
  try {
    return inspect(value, typeof depth === 'number' && depth >= 0 ? depth : kDefaultDepth);
  } catch {
    return '[unformattable value]';
  }
};

function reportError(error) {
  natives.log('error', `Uncaught ${formatLogArgs([error])}`);
}
internal.reportError = reportError;

internal.inspectKit = {
  ReflectApply, ArrayIsArray, MathMax, TypedArrayPrototype, typedArrayTag, MapPrototypeEntries,
  SetPrototypeValues, mapSize, setSize, getter, brand, safe, enumerableKeys, inspect, inspectDepth,
  formatLogArgs, reportError,
};
