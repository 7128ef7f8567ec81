// WHATWG Streams, readable half: ReadableStream, its readers and controllers, and the queuing
// strategies. The writable half, pipes and TransformStream are in streams-writable.js; the
// encoding and compression streams in compression.js; the byte helpers bodies are built on in
// body.js. They all reach these internals through `internal.streams`.
//
// Every public object is a thin shell holding one private field that points at a plain "impl"
// object; the algorithms work on impls so that internal users (tee, pipes, bodies) never go
// through patchable public methods, and so that internal streams skip building wrappers nobody
// will see.

const { finishClass } = internal;
const kInternal = Symbol('kiln.internal');
const noop = () => {};
const callBound = Function.prototype.call.bind(Function.prototype.call);
const promiseThen = Function.prototype.call.bind(Promise.prototype.then);
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseReject = Promise.reject.bind(Promise);
const kResolved = PromiseResolve();

function then(p, onFulfilled, onRejected) {
  return promiseThen(p, onFulfilled, onRejected);
}
function markHandled(p) {
  promiseThen(p, undefined, noop);
  return p;
}
function microtask(fn) {
  promiseThen(kResolved, fn);
}
// Runs an underlying source/sink algorithm, turning a synchronous throw into a rejection because
// the spec treats both the same way.
function callAlg(fn, arg) {
  if (fn === undefined) return kResolved;
  try {
    return PromiseResolve(fn(arg));
  } catch (e) {
    return PromiseReject(e);
  }
}
function defer() {
  let resolve, reject;
  const promise = new Promise((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

// A promise that is only materialised if someone asks for it (reader.closed, writer.ready...).
// Most readers are internal and never look, so this saves a promise and two closures each.
// Every such promise in the spec is marked as handled, hence markHandled on creation.
class Slot {
  constructor(status = 0, value = undefined) {
    this.status = status; // 0 pending, 1 fulfilled, 2 rejected
    this.value = value;
    this.p = null;
    this.res = null;
    this.rej = null;
  }
  get promise() {
    if (this.p === null) {
      if (this.status === 0) {
        this.p = new Promise((a, b) => {
          this.res = a;
          this.rej = b;
        });
      } else {
        this.p = this.status === 1 ? PromiseResolve(this.value) : PromiseReject(this.value);
      }
      markHandled(this.p);
    }
    return this.p;
  }
  resolve(v) {
    if (this.status !== 0) return;
    this.status = 1;
    this.value = v;
    if (this.res !== null) this.res(v);
  }
  reject(e) {
    if (this.status !== 0) return;
    this.status = 2;
    this.value = e;
    if (this.rej !== null) this.rej(e);
  }
}

function toBytes(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) {
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  return null;
}

const kBadSize = "The queuing strategy's size must be a finite, non-negative number.";

function toObject(value, what) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${what} must be an object.`);
  }
  return value;
}
function optionalFunction(value, what) {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${what} must be a function.`);
  }
  return value;
}
// Reads a QueuingStrategy dictionary; size is undefined for "count every chunk as 1".
function readStrategy(strategy, defaultHwm, forBytes) {
  strategy = toObject(strategy, 'The queuing strategy');
  let hwm = strategy.highWaterMark;
  const size = optionalFunction(strategy.size, "The queuing strategy's size");
  if (hwm === undefined) {
    hwm = defaultHwm;
  } else {
    hwm = Number(hwm);
    if (Number.isNaN(hwm) || hwm < 0) throw new RangeError('Invalid highWaterMark.');
  }
  if (forBytes && size !== undefined) {
    throw new RangeError("A byte stream's queuing strategy cannot have a size function.");
  }
  return { hwm, size: size && ((chunk) => callBound(size, undefined, chunk)) };
}

// ---------------------------------------------------------------------------------------------
// Stream and controller state

class RSImpl {
  constructor(wrapper) {
    this.wrapper = wrapper;
    this.state = 'readable';
    this.reader = null;
    this.storedError = undefined;
    this.disturbed = false;
    this.controller = null;
    // Set for streams reading a native body source, so that a body passed on untouched can hand
    // the source straight back to C++ (see readerLike).
    this.bodySource = null;
  }
}

class ControllerImpl {
  constructor(stream, isBytes) {
    this.stream = stream;
    this.isBytes = isBytes;
    // Flat queue: value, size, value, size... from index qh on.
    this.q = [];
    this.qh = 0;
    this.qSize = 0;
    this.started = false;
    this.closeRequested = false;
    this.pulling = false;
    this.pullAgain = false;
    this.hwm = 1;
    this.sizeAlg = undefined;
    this.pullAlg = undefined;
    this.cancelAlg = undefined;
  }
}

function queueEmpty(c) {
  return c.qh === c.q.length;
}
function dequeue(c) {
  const q = c.q;
  const value = q[c.qh];
  c.qSize -= q[c.qh + 1];
  if (c.qSize < 0) c.qSize = 0; // floating-point drift, as the spec notes
  q[c.qh] = undefined;
  c.qh += 2;
  if (c.qh === q.length) {
    c.q = [];
    c.qh = 0;
  } else if (c.qh > 512 && c.qh * 2 > q.length) {
    c.q = q.slice(c.qh);
    c.qh = 0;
  }
  return value;
}
function resetQueue(c) {
  c.q = [];
  c.qh = 0;
  c.qSize = 0;
}

function canCloseOrEnqueue(c) {
  return !c.closeRequested && c.stream.state === 'readable';
}
function desiredSize(c) {
  const state = c.stream.state;
  if (state === 'errored') return null;
  if (state === 'closed') return 0;
  return c.hwm - c.qSize;
}
function shouldCallPull(c) {
  if (!c.started || !canCloseOrEnqueue(c)) return false;
  const r = c.stream.reader;
  if (r !== null && r.requests.length > 0) return true;
  return desiredSize(c) > 0;
}
function callPullIfNeeded(c) {
  if (!shouldCallPull(c)) return;
  if (c.pulling) {
    c.pullAgain = true;
    return;
  }
  c.pulling = true;
  then(callAlg(c.pullAlg, c), () => {
    c.pulling = false;
    if (c.pullAgain) {
      c.pullAgain = false;
      callPullIfNeeded(c);
    }
  }, (e) => ctrlError(c, e));
}
function clearAlgorithms(c) {
  c.pullAlg = undefined;
  c.cancelAlg = undefined;
  c.sizeAlg = undefined;
}

// Callers have checked canCloseOrEnqueue. Byte controllers get Uint8Array chunks only.
function ctrlEnqueue(c, chunk) {
  const s = c.stream;
  const r = s.reader;
  if (r !== null && r.requests.length > 0 && !r.byob) {
    r.requests.shift().chunk(chunk);
  } else if (c.isBytes) {
    c.q.push(chunk, chunk.byteLength);
    c.qSize += chunk.byteLength;
    if (r !== null && r.byob) fillPendingReads(c, r);
  } else {
    let size = 1;
    if (c.sizeAlg !== undefined) {
      try {
        size = c.sizeAlg(chunk);
      } catch (e) {
        ctrlError(c, e);
        throw e;
      }
    }
    if (typeof size !== 'number' || !(size >= 0) || size === Infinity) {
      const e = new RangeError(kBadSize);
      ctrlError(c, e);
      throw e;
    }
    c.q.push(chunk, size);
    c.qSize += size;
  }
  callPullIfNeeded(c);
}
function ctrlClose(c) {
  c.closeRequested = true;
  if (!queueEmpty(c)) return;
  const r = c.stream.reader;
  if (r !== null && r.byob && r.requests.length > 0 && r.requests[0].filled > 0) {
    const e = new TypeError('Insufficient bytes to fill elements in the given buffer.');
    ctrlError(c, e);
    throw e;
  }
  clearAlgorithms(c);
  rsClose(c.stream);
}
function ctrlError(c, e) {
  if (c.stream.state !== 'readable') return;
  resetQueue(c);
  clearAlgorithms(c);
  rsError(c.stream, e);
}
function handleQueueDrain(c) {
  if (c.closeRequested && queueEmpty(c)) {
    clearAlgorithms(c);
    rsClose(c.stream);
  } else {
    callPullIfNeeded(c);
  }
}

function setUpController(s, c, startAlg, pullAlg, cancelAlg, hwm, sizeAlg) {
  s.controller = c;
  c.pullAlg = pullAlg;
  c.cancelAlg = cancelAlg;
  c.hwm = hwm;
  c.sizeAlg = sizeAlg;
  const startResult = startAlg === undefined ? undefined : startAlg(c);
  then(PromiseResolve(startResult), () => {
    c.started = true;
    callPullIfNeeded(c);
  }, (e) => ctrlError(c, e));
}

// For internal streams: algorithms receive the controller impl.
function createReadable(startAlg, pullAlg, cancelAlg, hwm = 1, sizeAlg = undefined,
  isBytes = false) {
  const stream = new ReadableStream(kInternal);
  const s = rsImpl(stream);
  setUpController(s, new ControllerImpl(s, isBytes), startAlg, pullAlg, cancelAlg, hwm, sizeAlg);
  return stream;
}

// ---------------------------------------------------------------------------------------------
// Stream state transitions

function rsClose(s) {
  s.state = 'closed';
  const r = s.reader;
  if (r === null) return;
  r.closed.resolve(undefined);
  const requests = r.requests;
  r.requests = [];
  for (let i = 0; i < requests.length; i++) requests[i].close();
}
function rsError(s, e) {
  s.state = 'errored';
  s.storedError = e;
  const r = s.reader;
  if (r === null) return;
  r.closed.reject(e);
  const requests = r.requests;
  r.requests = [];
  for (let i = 0; i < requests.length; i++) requests[i].error(e);
}
function rsCancel(s, reason) {
  s.disturbed = true;
  if (s.state === 'closed') return kResolved;
  if (s.state === 'errored') return PromiseReject(s.storedError);
  const r = s.reader;
  if (r !== null && r.byob) {
    const requests = r.requests;
    r.requests = [];
    for (let i = 0; i < requests.length; i++) requests[i].cancelled();
  }
  rsClose(s);
  const c = s.controller;
  resetQueue(c);
  const result = callAlg(c.cancelAlg, reason);
  clearAlgorithms(c);
  return then(result, noop);
}

// ---------------------------------------------------------------------------------------------
// Readers. A reader impl's `requests` holds pending reads: objects with chunk/close/error
// methods for default readers, pull-into descriptors for BYOB readers.

class ReaderImpl {
  constructor(s, byob) {
    this.stream = s;
    this.byob = byob;
    this.requests = [];
    this.closed = s.state === 'readable' ? new Slot() :
      s.state === 'closed' ? new Slot(1) : new Slot(2, s.storedError);
    s.reader = this;
  }
}

function acquireReader(s, byob = false) {
  if (s.reader !== null) {
    throw new TypeError('This ReadableStream is currently locked to a reader.');
  }
  if (byob && !s.controller.isBytes) {
    throw new TypeError('A BYOB reader can only be used with a byte stream (type: "bytes").');
  }
  return new ReaderImpl(s, byob);
}

function readerRelease(r) {
  const s = r.stream;
  const e = new TypeError("This reader's lock was released.");
  if (s.state === 'readable') r.closed.reject(e);
  else r.closed = new Slot(2, e);
  s.reader = null;
  r.stream = null;
  const requests = r.requests;
  r.requests = [];
  if (r.byob && requests.length > 0 && requests[0].filled > 0) {
    // Bytes already copied into a read that will never complete go back to the queue's head.
    const d = requests[0];
    const back = new Uint8Array(d.view.buffer, d.view.byteOffset, d.filled).slice();
    const c = s.controller;
    c.q.splice(c.qh, 0, back, back.byteLength);
    c.qSize += back.byteLength;
  }
  for (let i = 0; i < requests.length; i++) requests[i].error(e);
}

// Default read: req gets exactly one of chunk(value), close(), error(e), possibly synchronously.
function readerRead(r, req) {
  const s = r.stream;
  s.disturbed = true;
  if (s.state === 'closed') {
    req.close();
  } else if (s.state === 'errored') {
    req.error(s.storedError);
  } else {
    const c = s.controller;
    if (!queueEmpty(c)) {
      const chunk = dequeue(c);
      handleQueueDrain(c);
      req.chunk(chunk);
    } else {
      r.requests.push(req);
      callPullIfNeeded(c);
    }
  }
}

class PromiseReadRequest {
  constructor(resolve, reject) {
    this.resolve = resolve;
    this.reject = reject;
  }
  chunk(value) {
    this.resolve({ value, done: false });
  }
  close() {
    this.resolve({ value: undefined, done: true });
  }
  error(e) {
    this.reject(e);
  }
}

// A pending BYOB read: the caller's view and how much of it is filled.
class PullInto {
  constructor(view, resolve, reject) {
    this.view = view;
    this.filled = 0;
    this.elementSize = view instanceof DataView ? 1 : view.BYTES_PER_ELEMENT;
    this.resolve = resolve;
    this.reject = reject;
  }
  result(done) {
    const v = this.view;
    const value = v instanceof DataView ? new DataView(v.buffer, v.byteOffset, this.filled) :
      new v.constructor(v.buffer, v.byteOffset, this.filled / this.elementSize);
    this.resolve({ value, done });
  }
  close() {
    this.result(true);
  }
  cancelled() {
    this.resolve({ value: undefined, done: true });
  }
  error(e) {
    this.reject(e);
  }
}

// Copies queued bytes into d's view; true once at least one whole element is filled (then only
// whole elements are taken, leaving the remainder queued).
function fillFromQueue(c, d) {
  const es = d.elementSize;
  const room = d.view.byteLength - d.filled;
  const avail = Math.min(c.qSize, room);
  const maxTotal = d.filled + avail;
  const maxAligned = maxTotal - (maxTotal % es);
  let toCopy = avail;
  let ready = false;
  if (maxAligned > d.filled - (d.filled % es)) {
    toCopy = maxAligned - d.filled;
    ready = true;
  }
  const dest = new Uint8Array(d.view.buffer, d.view.byteOffset + d.filled, toCopy);
  let at = 0;
  while (at < toCopy) {
    const head = c.q[c.qh];
    const n = Math.min(head.byteLength, toCopy - at);
    dest.set(n === head.byteLength ? head : head.subarray(0, n), at);
    at += n;
    if (n === head.byteLength) {
      dequeue(c);
    } else {
      c.q[c.qh] = head.subarray(n);
      c.q[c.qh + 1] -= n;
      c.qSize -= n;
    }
  }
  d.filled += toCopy;
  return ready;
}
function fillPendingReads(c, r) {
  while (r.requests.length > 0 && c.qSize > 0) {
    const d = r.requests[0];
    if (!fillFromQueue(c, d)) break;
    r.requests.shift();
    d.result(false);
  }
}
function byobRead(r, view, d) {
  const s = r.stream;
  s.disturbed = true;
  if (s.state === 'errored') return d.error(s.storedError);
  if (s.state === 'closed') return d.result(true);
  const c = s.controller;
  if (c.qSize > 0) {
    if (fillFromQueue(c, d)) {
      d.result(false);
      handleQueueDrain(c);
      return;
    }
    if (c.closeRequested) {
      const e = new TypeError('Insufficient bytes to fill elements in the given buffer.');
      ctrlError(c, e);
      return d.error(e);
    }
  }
  r.requests.push(d);
  callPullIfNeeded(c);
}

// ---------------------------------------------------------------------------------------------
// Public classes

let rsImpl; // (stream) => RSImpl; throws TypeError for anything else
let rsImplOrNull;

class ReadableStream {
  #s;
  static {
    rsImpl = (o) => {
      if (typeof o === 'object' && o !== null && #s in o) return o.#s;
      throw new TypeError('Expected a ReadableStream.');
    };
    rsImplOrNull = (o) => (typeof o === 'object' && o !== null && #s in o ? o.#s : null);
  }

  constructor(underlyingSource = undefined, strategy = undefined) {
    const s = this.#s = new RSImpl(this);
    if (underlyingSource === kInternal) return;
    const source = toObject(underlyingSource, 'The underlying source');
    const cancel = optionalFunction(source.cancel, "The underlying source's cancel");
    const pull = optionalFunction(source.pull, "The underlying source's pull");
    const start = optionalFunction(source.start, "The underlying source's start");
    let type = source.type;
    if (type !== undefined) {
      type = String(type);
      if (type !== 'bytes') throw new TypeError(`Invalid ReadableStream type "${type}".`);
    }
    const isBytes = type === 'bytes';
    const { hwm, size } = readStrategy(strategy, isBytes ? 0 : 1, isBytes);
    const c = new ControllerImpl(s, isBytes);
    const controller = isBytes ? new ReadableByteStreamController(kInternal, c) :
      new ReadableStreamDefaultController(kInternal, c);
    setUpController(s, c,
      start && (() => callBound(start, source, controller)),
      pull && (() => callBound(pull, source, controller)),
      cancel && ((reason) => callBound(cancel, source, reason)),
      hwm, size);
  }

  get locked() {
    return this.#s.reader !== null;
  }

  cancel(reason = undefined) {
    const s = rsImplOrNull(this);
    if (s === null) return PromiseReject(new TypeError('Illegal invocation.'));
    if (s.reader !== null) {
      return PromiseReject(new TypeError('Cannot cancel a locked ReadableStream.'));
    }
    return rsCancel(s, reason);
  }

  getReader(options = undefined) {
    const mode = toObject(options, "getReader's options").mode;
    if (mode === undefined) return new ReadableStreamDefaultReader(this);
    if (String(mode) === 'byob') return new ReadableStreamBYOBReader(this);
    throw new TypeError(`Invalid reader mode "${mode}".`);
  }

  pipeThrough(transform, options = undefined) {
    return streams.pipeThrough(this.#s, transform, options);
  }

  pipeTo(destination, options = undefined) {
    const s = rsImplOrNull(this);
    if (s === null) return PromiseReject(new TypeError('Illegal invocation.'));
    try {
      return streams.pipeTo(s, destination, options);
    } catch (e) {
      return PromiseReject(e);
    }
  }

  tee() {
    return tee(this.#s);
  }

  values(options = undefined) {
    const preventCancel = !!toObject(options, "values' options").preventCancel;
    return new AsyncIterator(kInternal, acquireReader(this.#s), preventCancel);
  }

  static from(asyncIterable) {
    return readableFrom(asyncIterable);
  }
}
Object.defineProperty(ReadableStream.prototype, Symbol.asyncIterator, {
  value: ReadableStream.prototype.values, writable: true, configurable: true,
});

function enqueueChecked(c, chunk) {
  if (!canCloseOrEnqueue(c)) {
    throw new TypeError('The stream is closed or closing and cannot be enqueued to.');
  }
  ctrlEnqueue(c, chunk);
}
function closeChecked(c) {
  if (!canCloseOrEnqueue(c)) throw new TypeError('The stream is already closed or closing.');
  ctrlClose(c);
}

class ReadableStreamDefaultController {
  #c;
  constructor(key, impl) {
    if (key !== kInternal) throw new TypeError('Illegal constructor.');
    this.#c = impl;
  }
  get desiredSize() {
    return desiredSize(this.#c);
  }
  close() {
    closeChecked(this.#c);
  }
  enqueue(chunk = undefined) {
    enqueueChecked(this.#c, chunk);
  }
  error(e = undefined) {
    ctrlError(this.#c, e);
  }
}

// Byte streams queue Uint8Arrays and serve both reader kinds. Deviation: enqueued buffers are not
// transferred (detached), and byobRequest is always null, so sources must use enqueue().
class ReadableByteStreamController {
  #c;
  constructor(key, impl) {
    if (key !== kInternal) throw new TypeError('Illegal constructor.');
    this.#c = impl;
  }
  get byobRequest() {
    this.#c; // brand check
    return null;
  }
  get desiredSize() {
    return desiredSize(this.#c);
  }
  close() {
    closeChecked(this.#c);
  }
  enqueue(chunk) {
    const c = this.#c;
    if (!ArrayBuffer.isView(chunk)) throw new TypeError('chunk must be an ArrayBufferView.');
    if (chunk.byteLength === 0) throw new TypeError('chunk must not be empty.');
    enqueueChecked(c, toBytes(chunk));
  }
  error(e = undefined) {
    ctrlError(this.#c, e);
  }
}

let readerImplOrNull;

class ReadableStreamDefaultReader {
  #r;
  static {
    readerImplOrNull = (o) => (typeof o === 'object' && o !== null && #r in o ? o.#r : null);
  }
  constructor(stream) {
    this.#r = acquireReader(rsImpl(stream), false);
  }
  get closed() {
    return this.#r.closed.promise;
  }
  read() {
    const r = readerImplOrNull(this);
    if (r === null) return PromiseReject(new TypeError('Illegal invocation.'));
    if (r.stream === null) return PromiseReject(new TypeError('This reader has been released.'));
    return new Promise((resolve, reject) => readerRead(r, new PromiseReadRequest(resolve, reject)));
  }
  releaseLock() {
    const r = this.#r;
    if (r.stream !== null) readerRelease(r);
  }
  cancel(reason = undefined) {
    const r = readerImplOrNull(this);
    if (r === null) return PromiseReject(new TypeError('Illegal invocation.'));
    if (r.stream === null) return PromiseReject(new TypeError('This reader has been released.'));
    return rsCancel(r.stream, reason);
  }
}

let byobReaderImplOrNull;

// Deviation: the view passed to read() is filled in place and a new view of the same buffer is
// returned; the buffer is not detached as the spec's transfer would do. `min` is not supported.
class ReadableStreamBYOBReader {
  #r;
  static {
    byobReaderImplOrNull = (o) => (typeof o === 'object' && o !== null && #r in o ? o.#r : null);
  }
  constructor(stream) {
    this.#r = acquireReader(rsImpl(stream), true);
  }
  get closed() {
    return this.#r.closed.promise;
  }
  read(view) {
    const r = byobReaderImplOrNull(this);
    if (r === null) return PromiseReject(new TypeError('Illegal invocation.'));
    if (!ArrayBuffer.isView(view)) {
      return PromiseReject(new TypeError('read() requires an ArrayBufferView.'));
    }
    if (view.byteLength === 0 || view.buffer.byteLength === 0) {
      return PromiseReject(new TypeError('read() requires a non-empty view.'));
    }
    if (r.stream === null) return PromiseReject(new TypeError('This reader has been released.'));
    return new Promise((resolve, reject) => byobRead(r, view, new PullInto(view, resolve, reject)));
  }
  releaseLock() {
    const r = this.#r;
    if (r.stream !== null) readerRelease(r);
  }
  cancel(reason = undefined) {
    const r = byobReaderImplOrNull(this);
    if (r === null) return PromiseReject(new TypeError('Illegal invocation.'));
    if (r.stream === null) return PromiseReject(new TypeError('This reader has been released.'));
    return rsCancel(r.stream, reason);
  }
}

// ---------------------------------------------------------------------------------------------
// Async iteration. next()/return() calls queue behind each other as WebIDL requires; unlike
// WebIDL the queue is never reset to empty, because resetting it from inside a settled step can
// let a later next() overtake one that is still waiting to run.

const AsyncIteratorPrototype =
  Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);

class AsyncIterator {
  #reader;
  #preventCancel;
  #ongoing = null;
  #finished = false;
  constructor(key, reader, preventCancel) {
    if (key !== kInternal) throw new TypeError('Illegal constructor.');
    this.#reader = reader;
    this.#preventCancel = preventCancel;
  }
  static #brand(o) {
    return typeof o === 'object' && o !== null && #reader in o;
  }
  next() {
    if (!AsyncIterator.#brand(this)) return PromiseReject(new TypeError('Illegal invocation.'));
    const step = () => this.#nextSteps();
    this.#ongoing = this.#ongoing === null ? step() : then(this.#ongoing, step, step);
    return this.#ongoing;
  }
  return(value = undefined) {
    if (!AsyncIterator.#brand(this)) return PromiseReject(new TypeError('Illegal invocation.'));
    const step = () => this.#returnSteps(value);
    this.#ongoing = this.#ongoing === null ? step() : then(this.#ongoing, step, step);
    return then(this.#ongoing, () => ({ value, done: true }));
  }
  #nextSteps() {
    if (this.#finished) return PromiseResolve({ value: undefined, done: true });
    const r = this.#reader;
    if (r.stream === null) {
      return PromiseReject(new TypeError('Cannot iterate a stream whose reader was released.'));
    }
    return new Promise((resolve, reject) => {
      readerRead(r, {
        chunk: (value) => resolve({ value, done: false }),
        close: () => {
          this.#finished = true;
          readerRelease(r);
          resolve({ value: undefined, done: true });
        },
        error: (e) => {
          this.#finished = true;
          readerRelease(r);
          reject(e);
        },
      });
    });
  }
  #returnSteps(value) {
    if (this.#finished) return PromiseResolve({ value, done: true });
    this.#finished = true;
    const r = this.#reader;
    if (r.stream === null) return PromiseResolve({ value, done: true });
    if (!this.#preventCancel) {
      const s = r.stream;
      const result = rsCancel(s, value);
      readerRelease(r);
      return result;
    }
    readerRelease(r);
    return PromiseResolve({ value, done: true });
  }
}
Object.setPrototypeOf(AsyncIterator.prototype, AsyncIteratorPrototype);
finishClass(AsyncIterator, 'ReadableStream AsyncIterator');

// ---------------------------------------------------------------------------------------------
// tee, from

function tee(s) {
  const reader = acquireReader(s, false);
  const isBytes = s.controller.isBytes;
  let reading = false;
  let readAgain = false;
  let canceled1 = false;
  let canceled2 = false;
  let reason1, reason2, c1, c2;
  const cancelDone = defer();
  const readRequest = {
    chunk(chunk) {
      // Deferred a microtask so that an error following this chunk reaches both branches first.
      microtask(() => {
        readAgain = false;
        // Byte branches must not share buffers: either reader may be a BYOB one writing into
        // its own view, but the chunks themselves could be mutated by a default reader.
        const chunk2 = isBytes && !canceled1 && !canceled2 ? chunk.slice() : chunk;
        if (!canceled1 && canCloseOrEnqueue(c1)) ctrlEnqueue(c1, chunk);
        if (!canceled2 && canCloseOrEnqueue(c2)) ctrlEnqueue(c2, chunk2);
        reading = false;
        if (readAgain) pullAlg();
      });
    },
    close() {
      reading = false;
      if (!canceled1 && canCloseOrEnqueue(c1)) ctrlClose(c1);
      if (!canceled2 && canCloseOrEnqueue(c2)) ctrlClose(c2);
      if (!canceled1 || !canceled2) cancelDone.resolve(undefined);
    },
    error() {
      reading = false;
    },
  };
  function pullAlg() {
    if (reading) {
      readAgain = true;
      return kResolved;
    }
    reading = true;
    if (reader.stream !== null) readerRead(reader, readRequest);
    return kResolved;
  }
  function cancelBoth() {
    cancelDone.resolve(rsCancel(s, [reason1, reason2]));
  }
  const branch1 = createReadable(undefined, pullAlg, (reason) => {
    canceled1 = true;
    reason1 = reason;
    if (canceled2) cancelBoth();
    return cancelDone.promise;
  }, isBytes ? 0 : 1, undefined, isBytes);
  const branch2 = createReadable(undefined, pullAlg, (reason) => {
    canceled2 = true;
    reason2 = reason;
    if (canceled1) cancelBoth();
    return cancelDone.promise;
  }, isBytes ? 0 : 1, undefined, isBytes);
  c1 = rsImpl(branch1).controller;
  c2 = rsImpl(branch2).controller;
  then(reader.closed.promise, undefined, (e) => {
    ctrlError(c1, e);
    ctrlError(c2, e);
    if (!canceled1 || !canceled2) cancelDone.resolve(undefined);
  });
  return [branch1, branch2];
}

function getAsyncIterator(obj) {
  if (obj === undefined || obj === null) {
    throw new TypeError('ReadableStream.from() needs an iterable.');
  }
  let method = obj[Symbol.asyncIterator];
  let isSync = false;
  if (method === undefined || method === null) {
    method = obj[Symbol.iterator];
    isSync = true;
  }
  if (typeof method !== 'function') {
    throw new TypeError('ReadableStream.from() needs an async iterable or an iterable.');
  }
  const iterator = callBound(method, obj);
  if (typeof iterator !== 'object' || iterator === null) {
    throw new TypeError('The iterator method did not return an object.');
  }
  return { iterator, next: iterator.next, isSync };
}

function readableFrom(iterable) {
  const { iterator, next, isSync } = getAsyncIterator(iterable);
  const checkResult = (result) => {
    if (typeof result !== 'object' || result === null) {
      throw new TypeError("The iterator's result is not an object.");
    }
    return result;
  };
  const pull = (c) => then(callAlg(() => callBound(next, iterator)), (result) => {
    checkResult(result);
    if (result.done) return ctrlClose(c);
    // Sync iterators may yield promises, which async-from-sync iteration awaits.
    if (isSync) return then(PromiseResolve(result.value), (v) => enqueueChecked(c, v));
    enqueueChecked(c, result.value);
  });
  const cancel = (reason) => {
    let ret;
    try {
      ret = iterator.return;
    } catch (e) {
      return PromiseReject(e);
    }
    if (ret === undefined || ret === null) return kResolved;
    return then(callAlg(() => callBound(ret, iterator, reason)), checkResult);
  };
  return createReadable(undefined, pull, cancel, 0);
}

// ---------------------------------------------------------------------------------------------
// Exports

finishClass(ReadableStream);
finishClass(ReadableStreamDefaultController);
finishClass(ReadableByteStreamController);
finishClass(ReadableStreamDefaultReader);
finishClass(ReadableStreamBYOBReader);

const streams = {
  kInternal, kBadSize, noop, callBound, then, markHandled, microtask, callAlg, defer, Slot,
  kResolved, PromiseResolve, PromiseReject, toBytes, toObject, optionalFunction, readStrategy,
  rsImpl, rsImplOrNull, createReadable, acquireReader, readerRead, readerRelease, rsCancel,
  canCloseOrEnqueue, ctrlEnqueue, ctrlClose, ctrlError, desiredSize, shouldCallPull, queueEmpty,
  tee,
  // Filled in by streams-writable.js.
  pipeTo: null,
  pipeThrough: null,
};
internal.streams = streams;
internal.ReadableStream = ReadableStream;

internal.defineGlobal('ReadableStream', ReadableStream);
internal.defineGlobal('ReadableStreamDefaultController', ReadableStreamDefaultController);
internal.defineGlobal('ReadableByteStreamController', ReadableByteStreamController);
internal.defineGlobal('ReadableStreamDefaultReader', ReadableStreamDefaultReader);
internal.defineGlobal('ReadableStreamBYOBReader', ReadableStreamBYOBReader);
