// Assertion helpers shared by kiln's JavaScript API tests. Failures throw AssertionError with the
// values involved, since the test runner only reports the thrown error.

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

function show(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function fail(message, detail) {
  throw new AssertionError(message ? `${message}: ${detail}` : detail);
}

export function assert(condition, message = undefined) {
  if (!condition) fail(message, `expected a truthy value, got ${show(condition)}`);
}

// Strict equality (Object.is, so NaN equals NaN and 0 differs from -0).
export function assertEqual(actual, expected, message = undefined) {
  if (!Object.is(actual, expected)) {
    fail(message, `expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function assertNotEqual(actual, unexpected, message = undefined) {
  if (Object.is(actual, unexpected)) fail(message, `expected anything but ${show(unexpected)}`);
}

function deepEqual(a, b, seen) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.has(a)) return seen.get(a) === b;
  seen.set(a, b);
  if (a instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k), seen)) return false;
    return true;
  }
  if (a instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (a instanceof Date) return a.getTime() === b.getTime();
  if (ArrayBuffer.isView(a)) {
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.every((byte, i) => byte === y[i]);
  }
  const keysA = Reflect.ownKeys(a);
  const keysB = Reflect.ownKeys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!deepEqual(a[key], b[key], seen)) return false;
  }
  return true;
}

// Structural equality for arrays, plain objects, Maps, Sets, Dates and typed arrays.
export function assertDeepEqual(actual, expected, message = undefined) {
  if (!deepEqual(actual, expected, new Map())) {
    fail(message, `expected ${show(expected)}, got ${show(actual)}`);
  }
}

function checkError(error, ErrorClass, matcher, message) {
  if (ErrorClass !== undefined && !(error instanceof ErrorClass)) {
    fail(message, `expected a ${ErrorClass.name}, got ${show(error && error.name)}: ` +
      `${error && error.message}`);
  }
  if (matcher === undefined) return;
  const text = String(error && error.message);
  const ok = matcher instanceof RegExp ? matcher.test(text) : text.includes(matcher);
  if (!ok) fail(message, `error message ${show(text)} does not match ${show(String(matcher))}`);
}

// Calls fn, expects it to throw an ErrorClass (if given) whose message contains or matches
// `matcher` (if given). Returns the error for further checks.
export function assertThrows(fn, ErrorClass = undefined, matcher = undefined, message = undefined) {
  let error;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (error === undefined) fail(message, 'expected an exception, none was thrown');
  checkError(error, ErrorClass, matcher, message);
  return error;
}

// Like assertThrows for a promise (or a function returning one) that must reject. A thenable is
// awaited even if it is callable too, as a pending RPC call is.
export async function assertRejects(promiseOrFn, ErrorClass = undefined, matcher = undefined,
  message = undefined) {
  let error;
  let rejected = false;
  try {
    const thenable = promiseOrFn != null && typeof promiseOrFn.then === 'function';
    await (typeof promiseOrFn === 'function' && !thenable ? promiseOrFn() : promiseOrFn);
  } catch (e) {
    rejected = true;
    error = e;
  }
  if (!rejected) fail(message, 'expected a rejection, the promise fulfilled');
  checkError(error, ErrorClass, matcher, message);
  return error;
}

// Resolves after `ms` milliseconds (for tests of timers and timeouts).
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
