// WHATWG Streams, writable half: WritableStream with its writer and controller,
// TransformStream, and ReadableStream's pipeTo/pipeThrough. Evaluated right after streams.js,
// whose internals arrive through `internal.streams`.

const {
  kInternal, kBadSize, callBound, then, markHandled, callAlg, defer, Slot, kResolved,
  PromiseResolve, PromiseReject, toObject, optionalFunction, readStrategy, rsImpl, rsImplOrNull,
  createReadable, acquireReader, readerRead, readerRelease, rsCancel, canCloseOrEnqueue,
  ctrlEnqueue, ctrlClose, ctrlError, desiredSize: rsDesiredSize, shouldCallPull,
} = internal.streams;
const { AbortController, isAbortSignal, addAbortAlgorithm, finishClass } = internal;

const kCloseSentinel = Symbol('close');

class WSImpl {
  constructor(wrapper) {
    this.wrapper = wrapper;
    this.state = 'writable'; // writable, erroring, errored, closed
    this.storedError = undefined;
    this.writer = null;
    this.controller = null;
    this.writeRequests = [];
    this.inFlightWriteRequest = null;
    this.closeRequest = null;
    this.inFlightCloseRequest = null;
    this.pendingAbortRequest = null;
    this.backpressure = false;
  }
}

class WSControllerImpl {
  constructor(stream) {
    this.stream = stream;
    this.q = [];
    this.qh = 0;
    this.qSize = 0;
    this.started = false;
    this.hwm = 1;
    this.sizeAlg = undefined;
    this.writeAlg = undefined;
    this.closeAlg = undefined;
    this.abortAlg = undefined;
    // The AbortController behind controller.signal is only created when a sink asks for it.
    this.abortController = null;
    this.abortReason = undefined;
    this.aborted = false;
    this.wrapper = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Stream algorithms

function closeQueuedOrInFlight(s) {
  return s.closeRequest !== null || s.inFlightCloseRequest !== null;
}
function hasOperationInFlight(s) {
  return s.inFlightWriteRequest !== null || s.inFlightCloseRequest !== null;
}

function wsAbort(s, reason) {
  if (s.state === 'closed' || s.state === 'errored') return kResolved;
  const c = s.controller;
  if (!c.aborted) {
    c.aborted = true;
    c.abortReason = reason;
    if (c.abortController !== null) c.abortController.abort(reason);
  }
  const state = s.state;
  if (state === 'closed' || state === 'errored') return kResolved;
  if (s.pendingAbortRequest !== null) return s.pendingAbortRequest.promise;
  const wasAlreadyErroring = state === 'erroring';
  if (wasAlreadyErroring) reason = undefined;
  const d = defer();
  s.pendingAbortRequest = { promise: d.promise, resolve: d.resolve, reject: d.reject, reason,
    wasAlreadyErroring };
  if (!wasAlreadyErroring) startErroring(s, reason);
  return d.promise;
}

function wsClose(s) {
  if (s.state === 'closed' || s.state === 'errored') {
    return PromiseReject(new TypeError('The WritableStream is closed or errored.'));
  }
  const d = defer();
  s.closeRequest = d;
  const w = s.writer;
  if (w !== null && s.backpressure && s.state === 'writable') w.ready.resolve(undefined);
  const c = s.controller;
  c.q.push(kCloseSentinel, 0);
  advanceQueueIfNeeded(c);
  return d.promise;
}

function dealWithRejection(s, e) {
  if (s.state === 'writable') startErroring(s, e);
  else finishErroring(s);
}

function startErroring(s, reason) {
  s.state = 'erroring';
  s.storedError = reason;
  const w = s.writer;
  if (w !== null) ensureReadyRejected(w, reason);
  if (!hasOperationInFlight(s) && s.controller.started) finishErroring(s);
}

function finishErroring(s) {
  s.state = 'errored';
  const c = s.controller;
  c.q = [];
  c.qh = 0;
  c.qSize = 0;
  const e = s.storedError;
  const requests = s.writeRequests;
  s.writeRequests = [];
  for (let i = 0; i < requests.length; i++) requests[i].reject(e);
  const abort = s.pendingAbortRequest;
  if (abort === null) return rejectCloseAndClosed(s);
  s.pendingAbortRequest = null;
  if (abort.wasAlreadyErroring) {
    abort.reject(e);
    return rejectCloseAndClosed(s);
  }
  const result = callAlg(c.abortAlg, abort.reason);
  clearAlgorithms(c);
  then(result, () => {
    abort.resolve(undefined);
    rejectCloseAndClosed(s);
  }, (reason) => {
    abort.reject(reason);
    rejectCloseAndClosed(s);
  });
}

function rejectCloseAndClosed(s) {
  if (s.closeRequest !== null) {
    s.closeRequest.reject(s.storedError);
    s.closeRequest = null;
  }
  const w = s.writer;
  if (w !== null) w.closed.reject(s.storedError);
}

function finishInFlightWrite(s) {
  s.inFlightWriteRequest.resolve(undefined);
  s.inFlightWriteRequest = null;
}
function finishInFlightWriteWithError(s, e) {
  s.inFlightWriteRequest.reject(e);
  s.inFlightWriteRequest = null;
  dealWithRejection(s, e);
}
function finishInFlightClose(s) {
  s.inFlightCloseRequest.resolve(undefined);
  s.inFlightCloseRequest = null;
  if (s.state === 'erroring') {
    s.storedError = undefined;
    if (s.pendingAbortRequest !== null) {
      s.pendingAbortRequest.resolve(undefined);
      s.pendingAbortRequest = null;
    }
  }
  s.state = 'closed';
  if (s.writer !== null) s.writer.closed.resolve(undefined);
}
function finishInFlightCloseWithError(s, e) {
  s.inFlightCloseRequest.reject(e);
  s.inFlightCloseRequest = null;
  if (s.pendingAbortRequest !== null) {
    s.pendingAbortRequest.reject(e);
    s.pendingAbortRequest = null;
  }
  dealWithRejection(s, e);
}

function updateBackpressure(s, backpressure) {
  const w = s.writer;
  if (w !== null && backpressure !== s.backpressure) {
    if (backpressure) w.ready = new Slot();
    else w.ready.resolve(undefined);
  }
  s.backpressure = backpressure;
}

// ---------------------------------------------------------------------------------------------
// Controller algorithms

function clearAlgorithms(c) {
  c.writeAlg = undefined;
  c.closeAlg = undefined;
  c.abortAlg = undefined;
  c.sizeAlg = undefined;
}
function wsDesiredSize(c) {
  return c.hwm - c.qSize;
}
function wsCtrlError(c, e) {
  clearAlgorithms(c);
  startErroring(c.stream, e);
}
function wsCtrlErrorIfNeeded(c, e) {
  if (c.stream.state === 'writable') wsCtrlError(c, e);
}

function advanceQueueIfNeeded(c) {
  const s = c.stream;
  if (!c.started || s.inFlightWriteRequest !== null) return;
  if (s.state === 'erroring') return finishErroring(s);
  if (c.qh === c.q.length) return;
  const value = c.q[c.qh];
  if (value === kCloseSentinel) processClose(c);
  else processWrite(c, value);
}

function dequeue(c) {
  c.qSize -= c.q[c.qh + 1];
  if (c.qSize < 0) c.qSize = 0;
  c.q[c.qh] = undefined;
  c.qh += 2;
  if (c.qh === c.q.length) {
    c.q = [];
    c.qh = 0;
  } else if (c.qh > 512 && c.qh * 2 > c.q.length) {
    c.q = c.q.slice(c.qh);
    c.qh = 0;
  }
}

function processClose(c) {
  const s = c.stream;
  s.inFlightCloseRequest = s.closeRequest;
  s.closeRequest = null;
  dequeue(c);
  const result = callAlg(c.closeAlg, undefined);
  clearAlgorithms(c);
  then(result, () => finishInFlightClose(s), (e) => finishInFlightCloseWithError(s, e));
}

function processWrite(c, chunk) {
  const s = c.stream;
  s.inFlightWriteRequest = s.writeRequests.shift();
  then(callAlg(c.writeAlg, chunk), () => {
    finishInFlightWrite(s);
    dequeue(c);
    if (!closeQueuedOrInFlight(s) && s.state === 'writable') {
      updateBackpressure(s, wsDesiredSize(c) <= 0);
    }
    advanceQueueIfNeeded(c);
  }, (e) => {
    if (s.state === 'writable') clearAlgorithms(c);
    finishInFlightWriteWithError(s, e);
  });
}

function chunkSize(c, chunk) {
  if (c.sizeAlg === undefined) return 1;
  try {
    return c.sizeAlg(chunk);
  } catch (e) {
    wsCtrlErrorIfNeeded(c, e);
    return 1;
  }
}

function ctrlWrite(c, chunk, size) {
  const s = c.stream;
  if (typeof size !== 'number' || !(size >= 0) || size === Infinity) {
    wsCtrlErrorIfNeeded(c, new RangeError(kBadSize));
    return;
  }
  c.q.push(chunk, size);
  c.qSize += size;
  if (!closeQueuedOrInFlight(s) && s.state === 'writable') {
    updateBackpressure(s, wsDesiredSize(c) <= 0);
  }
  advanceQueueIfNeeded(c);
}

function setUpWritable(s, c, startAlg, writeAlg, closeAlg, abortAlg, hwm, sizeAlg) {
  s.controller = c;
  c.writeAlg = writeAlg;
  c.closeAlg = closeAlg;
  c.abortAlg = abortAlg;
  c.hwm = hwm;
  c.sizeAlg = sizeAlg;
  updateBackpressure(s, wsDesiredSize(c) <= 0);
  const startResult = startAlg === undefined ? undefined : startAlg(c);
  then(PromiseResolve(startResult), () => {
    c.started = true;
    advanceQueueIfNeeded(c);
  }, (e) => {
    c.started = true;
    dealWithRejection(s, e);
  });
}

function createWritable(startAlg, writeAlg, closeAlg, abortAlg, hwm = 1, sizeAlg = undefined) {
  const stream = new WritableStream(kInternal);
  const s = wsImpl(stream);
  setUpWritable(s, new WSControllerImpl(s), startAlg, writeAlg, closeAlg, abortAlg, hwm, sizeAlg);
  return stream;
}

// ---------------------------------------------------------------------------------------------
// Writers

class WriterImpl {
  constructor(s) {
    this.stream = s;
    const state = s.state;
    if (state === 'writable') {
      this.ready = !closeQueuedOrInFlight(s) && s.backpressure ? new Slot() : new Slot(1);
      this.closed = new Slot();
    } else if (state === 'erroring') {
      this.ready = new Slot(2, s.storedError);
      this.closed = new Slot();
    } else if (state === 'closed') {
      this.ready = new Slot(1);
      this.closed = new Slot(1);
    } else {
      this.ready = new Slot(2, s.storedError);
      this.closed = new Slot(2, s.storedError);
    }
    s.writer = this;
  }
}

function acquireWriter(s) {
  if (s.writer !== null) {
    throw new TypeError('This WritableStream is currently locked to a writer.');
  }
  return new WriterImpl(s);
}
function ensureReadyRejected(w, e) {
  if (w.ready.status === 0) w.ready.reject(e);
  else w.ready = new Slot(2, e);
}
function ensureClosedRejected(w, e) {
  if (w.closed.status === 0) w.closed.reject(e);
  else w.closed = new Slot(2, e);
}
function writerRelease(w) {
  const e = new TypeError("This writer's lock was released.");
  ensureReadyRejected(w, e);
  ensureClosedRejected(w, e);
  w.stream.writer = null;
  w.stream = null;
}
function writerWrite(w, chunk) {
  const s = w.stream;
  const c = s.controller;
  const size = chunkSize(c, chunk);
  if (s !== w.stream) return PromiseReject(new TypeError("This writer's lock was released."));
  const state = s.state;
  if (state === 'errored' || state === 'erroring') return PromiseReject(s.storedError);
  if (closeQueuedOrInFlight(s) || state === 'closed') {
    return PromiseReject(new TypeError('The WritableStream is closing or closed.'));
  }
  const d = defer();
  s.writeRequests.push(d);
  ctrlWrite(c, chunk, size);
  return d.promise;
}
function writerDesiredSize(s) {
  if (s.state === 'errored' || s.state === 'erroring') return null;
  if (s.state === 'closed') return 0;
  return wsDesiredSize(s.controller);
}
function closeWithErrorPropagation(w) {
  const s = w.stream;
  if (closeQueuedOrInFlight(s) || s.state === 'closed') return kResolved;
  if (s.state === 'errored') return PromiseReject(s.storedError);
  return wsClose(s);
}

// ---------------------------------------------------------------------------------------------
// Public classes

let wsImpl;
let wsImplOrNull;

class WritableStream {
  #s;
  static {
    wsImpl = (o) => {
      if (typeof o === 'object' && o !== null && #s in o) return o.#s;
      throw new TypeError('Expected a WritableStream.');
    };
    wsImplOrNull = (o) => (typeof o === 'object' && o !== null && #s in o ? o.#s : null);
  }

  constructor(underlyingSink = undefined, strategy = undefined) {
    const s = this.#s = new WSImpl(this);
    if (underlyingSink === kInternal) return;
    const { hwm, size } = readStrategy(strategy, 1, false);
    const sink = toObject(underlyingSink, 'The underlying sink');
    const abort = optionalFunction(sink.abort, "The underlying sink's abort");
    const close = optionalFunction(sink.close, "The underlying sink's close");
    const start = optionalFunction(sink.start, "The underlying sink's start");
    if (sink.type !== undefined) throw new RangeError('Invalid WritableStream type.');
    const write = optionalFunction(sink.write, "The underlying sink's write");
    const c = new WSControllerImpl(s);
    const controller = c.wrapper = new WritableStreamDefaultController(kInternal, c);
    setUpWritable(s, c,
      start && (() => callBound(start, sink, controller)),
      write && ((chunk) => callBound(write, sink, chunk, controller)),
      close && (() => callBound(close, sink)),
      abort && ((reason) => callBound(abort, sink, reason)),
      hwm, size);
  }

  get locked() {
    return this.#s.writer !== null;
  }

  abort(reason = undefined) {
    const s = wsImplOrNull(this);
    if (s === null) return PromiseReject(new TypeError('Illegal invocation.'));
    if (s.writer !== null) {
      return PromiseReject(new TypeError('Cannot abort a locked WritableStream.'));
    }
    return wsAbort(s, reason);
  }

  close() {
    const s = wsImplOrNull(this);
    if (s === null) return PromiseReject(new TypeError('Illegal invocation.'));
    if (s.writer !== null) {
      return PromiseReject(new TypeError('Cannot close a locked WritableStream.'));
    }
    if (closeQueuedOrInFlight(s)) {
      return PromiseReject(new TypeError('The WritableStream is already closing.'));
    }
    return wsClose(s);
  }

  getWriter() {
    return new WritableStreamDefaultWriter(this);
  }
}

class WritableStreamDefaultController {
  #c;
  constructor(key, impl) {
    if (key !== kInternal) throw new TypeError('Illegal constructor.');
    this.#c = impl;
  }
  get signal() {
    const c = this.#c;
    if (c.abortController === null) {
      c.abortController = new AbortController();
      if (c.aborted) c.abortController.abort(c.abortReason);
    }
    return c.abortController.signal;
  }
  error(e = undefined) {
    const c = this.#c;
    if (c.stream.state === 'writable') wsCtrlError(c, e);
  }
}

let writerImplOrNull;

function writerOrReject(o) {
  const w = writerImplOrNull(o);
  if (w === null) throw new TypeError('Illegal invocation.');
  if (w.stream === null) throw new TypeError("This writer's lock was released.");
  return w;
}

class WritableStreamDefaultWriter {
  #w;
  static {
    writerImplOrNull = (o) => (typeof o === 'object' && o !== null && #w in o ? o.#w : null);
  }
  constructor(stream) {
    this.#w = acquireWriter(wsImpl(stream));
  }
  get closed() {
    return this.#w.closed.promise;
  }
  get ready() {
    return this.#w.ready.promise;
  }
  get desiredSize() {
    const w = this.#w;
    if (w.stream === null) throw new TypeError("This writer's lock was released.");
    return writerDesiredSize(w.stream);
  }
  abort(reason = undefined) {
    try {
      return wsAbort(writerOrReject(this).stream, reason);
    } catch (e) {
      return PromiseReject(e);
    }
  }
  close() {
    let s;
    try {
      s = writerOrReject(this).stream;
    } catch (e) {
      return PromiseReject(e);
    }
    if (closeQueuedOrInFlight(s)) {
      return PromiseReject(new TypeError('The WritableStream is already closing.'));
    }
    return wsClose(s);
  }
  releaseLock() {
    const w = this.#w;
    if (w.stream !== null) writerRelease(w);
  }
  write(chunk = undefined) {
    try {
      return writerWrite(writerOrReject(this), chunk);
    } catch (e) {
      return PromiseReject(e);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// TransformStream

class TSImpl {
  constructor() {
    this.readable = null; // public ReadableStream
    this.writable = null; // public WritableStream
    this.rc = null; // readable side's controller impl
    this.wc = null; // writable side's controller impl
    this.backpressure = false;
    this.backpressureChange = null; // deferred
    this.transformAlg = undefined;
    this.flushAlg = undefined;
    this.cancelAlg = undefined;
    this.finishPromise = null;
    this.wrapper = null; // TransformStreamDefaultController
  }
}

function tsSetBackpressure(t, backpressure) {
  if (t.backpressureChange !== null) t.backpressureChange.resolve(undefined);
  t.backpressureChange = defer();
  t.backpressure = backpressure;
}
function tsClearAlgorithms(t) {
  t.transformAlg = undefined;
  t.flushAlg = undefined;
  t.cancelAlg = undefined;
}
function tsUnblockWrite(t) {
  if (t.backpressure) tsSetBackpressure(t, false);
}
function tsErrorWritableAndUnblockWrite(t, e) {
  tsClearAlgorithms(t);
  wsCtrlErrorIfNeeded(t.wc, e);
  tsUnblockWrite(t);
}
function tsError(t, e) {
  ctrlError(t.rc, e);
  tsErrorWritableAndUnblockWrite(t, e);
}
function tsEnqueue(t, chunk) {
  const rc = t.rc;
  if (!canCloseOrEnqueue(rc)) {
    throw new TypeError("The TransformStream's readable side cannot be enqueued to.");
  }
  try {
    ctrlEnqueue(rc, chunk);
  } catch (e) {
    tsErrorWritableAndUnblockWrite(t, e);
    throw rc.stream.storedError;
  }
  if (!shouldCallPull(rc) !== t.backpressure) tsSetBackpressure(t, true);
}
function tsTerminate(t) {
  if (canCloseOrEnqueue(t.rc)) ctrlClose(t.rc);
  tsErrorWritableAndUnblockWrite(t, new TypeError('The TransformStream was terminated.'));
}
function tsPerformTransform(t, chunk) {
  return then(callAlg(t.transformAlg, chunk), undefined, (e) => {
    tsError(t, e);
    throw e;
  });
}

function tsSinkWrite(t, chunk) {
  if (t.backpressure) {
    return then(t.backpressureChange.promise, () => {
      const ws = wsImpl(t.writable);
      if (ws.state === 'erroring') throw ws.storedError;
      return tsPerformTransform(t, chunk);
    });
  }
  return tsPerformTransform(t, chunk);
}
function tsSinkAbort(t, reason) {
  if (t.finishPromise !== null) return t.finishPromise;
  const rs = rsImpl(t.readable);
  const d = defer();
  t.finishPromise = d.promise;
  const result = callAlg(t.cancelAlg, reason);
  tsClearAlgorithms(t);
  then(result, () => {
    if (rs.state === 'errored') return d.reject(rs.storedError);
    ctrlError(t.rc, reason);
    d.resolve(undefined);
  }, (e) => {
    ctrlError(t.rc, e);
    d.reject(e);
  });
  return d.promise;
}
function tsSinkClose(t) {
  if (t.finishPromise !== null) return t.finishPromise;
  const rs = rsImpl(t.readable);
  const d = defer();
  t.finishPromise = d.promise;
  const result = callAlg(t.flushAlg, undefined);
  tsClearAlgorithms(t);
  then(result, () => {
    if (rs.state === 'errored') return d.reject(rs.storedError);
    if (canCloseOrEnqueue(t.rc)) ctrlClose(t.rc);
    d.resolve(undefined);
  }, (e) => {
    ctrlError(t.rc, e);
    d.reject(e);
  });
  return d.promise;
}
function tsSourceCancel(t, reason) {
  if (t.finishPromise !== null) return t.finishPromise;
  const ws = wsImpl(t.writable);
  const d = defer();
  t.finishPromise = d.promise;
  const result = callAlg(t.cancelAlg, reason);
  tsClearAlgorithms(t);
  then(result, () => {
    if (ws.state === 'errored') return d.reject(ws.storedError);
    wsCtrlErrorIfNeeded(t.wc, reason);
    tsUnblockWrite(t);
    d.resolve(undefined);
  }, (e) => {
    wsCtrlErrorIfNeeded(t.wc, e);
    tsUnblockWrite(t);
    d.reject(e);
  });
  return d.promise;
}

// transformAlg(chunk) / flushAlg() / cancelAlg(reason) may return promises; `startPromise`
// gates both sides.
function initTransform(t, startPromise, wHwm, wSize, rHwm, rSize) {
  const startAlg = () => startPromise;
  t.writable = createWritable(startAlg, (chunk) => tsSinkWrite(t, chunk), () => tsSinkClose(t),
    (reason) => tsSinkAbort(t, reason), wHwm, wSize);
  t.readable = createReadable(startAlg, () => {
    tsSetBackpressure(t, false);
    return t.backpressureChange.promise;
  }, (reason) => tsSourceCancel(t, reason), rHwm, rSize);
  t.rc = rsImpl(t.readable).controller;
  t.wc = wsImpl(t.writable).controller;
  tsSetBackpressure(t, true);
}

class TransformStream {
  #t;
  constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
    const t = this.#t = new TSImpl();
    if (transformer === kInternal) return;
    const w = readStrategy(writableStrategy, 1, false);
    const r = readStrategy(readableStrategy, 0, false);
    const tr = toObject(transformer, 'The transformer');
    const cancel = optionalFunction(tr.cancel, "The transformer's cancel");
    const flush = optionalFunction(tr.flush, "The transformer's flush");
    if (tr.readableType !== undefined) throw new RangeError('Invalid readableType.');
    const start = optionalFunction(tr.start, "The transformer's start");
    const transform = optionalFunction(tr.transform, "The transformer's transform");
    if (tr.writableType !== undefined) throw new RangeError('Invalid writableType.');
    const startPromise = defer();
    initTransform(t, startPromise.promise, w.hwm, w.size, r.hwm, r.size);
    const controller = t.wrapper = new TransformStreamDefaultController(kInternal, t);
    t.transformAlg = transform ? (chunk) => callBound(transform, tr, chunk, controller) :
      (chunk) => tsEnqueue(t, chunk);
    t.flushAlg = flush && (() => callBound(flush, tr, controller));
    t.cancelAlg = cancel && ((reason) => callBound(cancel, tr, reason));
    startPromise.resolve(start ? callBound(start, tr, controller) : undefined);
  }
  get readable() {
    return this.#t.readable;
  }
  get writable() {
    return this.#t.writable;
  }
}

class TransformStreamDefaultController {
  #t;
  constructor(key, impl) {
    if (key !== kInternal) throw new TypeError('Illegal constructor.');
    this.#t = impl;
  }
  get desiredSize() {
    return rsDesiredSize(this.#t.rc);
  }
  enqueue(chunk = undefined) {
    tsEnqueue(this.#t, chunk);
  }
  error(reason = undefined) {
    tsError(this.#t, reason);
  }
  terminate() {
    tsTerminate(this.#t);
  }
}

// ---------------------------------------------------------------------------------------------
// pipeTo / pipeThrough

function readPipeOptions(options) {
  options = toObject(options, 'The pipe options');
  const preventAbort = !!options.preventAbort;
  const preventCancel = !!options.preventCancel;
  const preventClose = !!options.preventClose;
  const signal = options.signal;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new TypeError('The pipe option signal must be an AbortSignal.');
  }
  return { preventAbort, preventCancel, preventClose, signal };
}

function pipeTo(source, destination, options) {
  const dest = wsImplOrNull(destination);
  if (dest === null) throw new TypeError('pipeTo() requires a WritableStream.');
  const { preventAbort, preventCancel, preventClose, signal } = readPipeOptions(options);
  if (source.reader !== null) throw new TypeError('The source ReadableStream is locked.');
  if (dest.writer !== null) throw new TypeError('The destination WritableStream is locked.');
  return pipe(source, dest, preventClose, preventAbort, preventCancel, signal);
}

function pipe(source, dest, preventClose, preventAbort, preventCancel, signal) {
  const reader = acquireReader(source, false);
  const writer = acquireWriter(dest);
  source.disturbed = true;
  const done = defer();
  let shuttingDown = false;
  let currentWrite = kResolved;
  let removeAbort = null;

  // Resolves once the last write issued (and any issued while waiting) has settled.
  const waitForWrites = () => {
    const old = currentWrite;
    return then(old, () => (old !== currentWrite ? waitForWrites() : undefined));
  };
  const finalize = (isError, error) => {
    writerRelease(writer);
    readerRelease(reader);
    if (removeAbort !== null) removeAbort();
    if (isError) done.reject(error);
    else done.resolve(undefined);
  };
  const destStillWritable = () => dest.state === 'writable' && !closeQueuedOrInFlight(dest);
  const shutdownWithAction = (action, isError, error) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const run = () => then(callAlg(action, undefined), () => finalize(isError, error),
      (e) => finalize(true, e));
    if (destStillWritable()) then(waitForWrites(), run);
    else run();
  };
  const shutdown = (isError, error) => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (destStillWritable()) then(waitForWrites(), () => finalize(isError, error));
    else finalize(isError, error);
  };

  // The spec's four conditions, checked in its order whenever either side may have changed.
  const check = () => {
    if (shuttingDown) return true;
    if (source.state === 'errored') {
      const e = source.storedError;
      if (!preventAbort) shutdownWithAction(() => wsAbort(dest, e), true, e);
      else shutdown(true, e);
      return true;
    }
    if (dest.state === 'errored' || dest.state === 'erroring') {
      if (dest.state === 'erroring') return true; // wait for it to become errored
      const e = dest.storedError;
      if (!preventCancel) shutdownWithAction(() => rsCancel(source, e), true, e);
      else shutdown(true, e);
      return true;
    }
    if (source.state === 'closed') {
      if (!preventClose) shutdownWithAction(() => closeWithErrorPropagation(writer), false);
      else shutdown(false);
      return true;
    }
    if (closeQueuedOrInFlight(dest) || dest.state === 'closed') {
      const e = new TypeError('The destination WritableStream closed before the pipe finished.');
      if (!preventCancel) shutdownWithAction(() => rsCancel(source, e), true, e);
      else shutdown(true, e);
      return true;
    }
    return false;
  };

  let inRead = false;
  let again = false;
  const readRequest = {
    chunk(chunk) {
      if (shuttingDown) return;
      currentWrite = markHandled(writerWrite(writer, chunk));
      if (inRead) again = true;
      else loop();
    },
    close: check,
    error: check,
  };
  // Reads while the destination wants more; reads that complete synchronously iterate here
  // rather than recursing.
  const loop = () => {
    do {
      again = false;
      if (check()) return;
      if (dest.backpressure) {
        then(writer.ready.promise, loop, check);
        return;
      }
      inRead = true;
      readerRead(reader, readRequest);
      inRead = false;
    } while (again);
  };

  then(reader.closed.promise, check, check);
  then(writer.closed.promise, check, check);
  if (signal !== undefined) {
    const onAbort = () => {
      const e = signal.reason;
      const actions = [];
      if (!preventAbort) {
        actions.push(() => (dest.state === 'writable' ? wsAbort(dest, e) : kResolved));
      }
      if (!preventCancel) {
        actions.push(() => (source.state === 'readable' ? rsCancel(source, e) : kResolved));
      }
      shutdownWithAction(() => Promise.all(actions.map((a) => a())), true, e);
    };
    if (signal.aborted) {
      onAbort();
      return done.promise;
    }
    removeAbort = addAbortAlgorithm(signal, onAbort);
  }
  loop();
  return done.promise;
}

function pipeThrough(source, transform, options) {
  transform = toObject(transform, "pipeThrough's transform");
  const readable = transform.readable;
  if (rsImplOrNull(readable) === null) {
    throw new TypeError('pipeThrough() requires a readable ReadableStream.');
  }
  const dest = wsImplOrNull(transform.writable);
  if (dest === null) throw new TypeError('pipeThrough() requires a writable WritableStream.');
  const { preventAbort, preventCancel, preventClose, signal } = readPipeOptions(options);
  if (source.reader !== null) throw new TypeError('The source ReadableStream is locked.');
  if (dest.writer !== null) throw new TypeError('The destination WritableStream is locked.');
  markHandled(pipe(source, dest, preventClose, preventAbort, preventCancel, signal));
  return readable;
}

internal.streams.pipeTo = pipeTo;
internal.streams.pipeThrough = pipeThrough;
internal.streams.wsImpl = wsImpl;
internal.streams.createWritable = createWritable;
internal.WritableStream = WritableStream;
internal.TransformStream = TransformStream;

finishClass(WritableStream);
finishClass(WritableStreamDefaultController);
finishClass(WritableStreamDefaultWriter);
finishClass(TransformStream);
finishClass(TransformStreamDefaultController);

internal.defineGlobal('WritableStream', WritableStream);
internal.defineGlobal('WritableStreamDefaultController', WritableStreamDefaultController);
internal.defineGlobal('WritableStreamDefaultWriter', WritableStreamDefaultWriter);
internal.defineGlobal('TransformStream', TransformStream);
internal.defineGlobal('TransformStreamDefaultController', TransformStreamDefaultController);
