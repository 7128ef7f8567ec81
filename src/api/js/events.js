// DOM events, DOMException and abort signals.
//
// This file is evaluated first, so it also sets up the small helpers that every later built-in
// relies on (internal.defineGlobal and friends). Later files reach the classes through `internal`
// rather than through globalThis, because user code may replace or delete the globals.

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const ErrorCaptureStackTrace = Error.captureStackTrace;

internal.defineGlobal = function defineGlobal(name, value) {
  ObjectDefineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable: false,
  });
};

// console.log shows built-ins whose state lives in private fields through a plain object (or a
// Map) of what to display instead of their (empty) own properties. Two ways to provide it: a
// method under internal.inspectSymbol, or a function registered in internal.inspectHooks keyed
// by the prototype (which, unlike the symbol, does not show up in Reflect.ownKeys).
internal.inspectSymbol = Symbol('kiln.inspect');
internal.inspectHooks = new WeakMap();

// Event.timeStamp and performance.now() share one origin: when this context was created.
internal.timeOrigin = natives.now();

// Web IDL puts attributes and operations on prototypes as enumerable properties, and every
// interface has a @@toStringTag; JS classes give neither, so patch them up after definition.
function finishClass(cls, tag = cls.name) {
  const proto = cls.prototype;
  for (const key of ReflectOwnKeys(proto)) {
    if (key === 'constructor' || typeof key === 'symbol') continue;
    const desc = ObjectGetOwnPropertyDescriptor(proto, key);
    desc.enumerable = true;
    ObjectDefineProperty(proto, key, desc);
  }
  ObjectDefineProperty(proto, Symbol.toStringTag, { value: tag, configurable: true });
  return cls;
}
internal.finishClass = finishClass;

// Used for errors thrown before another file had the chance to define internal.reportError.
function report(error) {
  if (typeof internal.reportError === 'function') {
    internal.reportError(error);
  } else {
    try {
      natives.log('error', `Uncaught ${error && error.stack ? error.stack : String(error)}`);
    } catch {
      natives.log('error', 'Uncaught exception');
    }
  }
}

// Web IDL dictionaries: undefined and null mean "all defaults", anything else must be an object.
function dictionary(value, what) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${what}: the options argument must be an object.`);
  }
  return value;
}
internal.dictionary = dictionary;

function requireArgs(count, required, what) {
  if (count < required) {
    throw new TypeError(`${what}: ${required} argument${required > 1 ? 's' : ''} required, ` +
      `but only ${count} present.`);
  }
}
internal.requireArgs = requireArgs;

// ---------------------------------------------------------------------------------------------
// DOMException

const legacyCodes = [
  ['IndexSizeError', 'INDEX_SIZE_ERR', 1],
  [null, 'DOMSTRING_SIZE_ERR', 2],
  ['HierarchyRequestError', 'HIERARCHY_REQUEST_ERR', 3],
  ['WrongDocumentError', 'WRONG_DOCUMENT_ERR', 4],
  ['InvalidCharacterError', 'INVALID_CHARACTER_ERR', 5],
  [null, 'NO_DATA_ALLOWED_ERR', 6],
  ['NoModificationAllowedError', 'NO_MODIFICATION_ALLOWED_ERR', 7],
  ['NotFoundError', 'NOT_FOUND_ERR', 8],
  ['NotSupportedError', 'NOT_SUPPORTED_ERR', 9],
  ['InUseAttributeError', 'INUSE_ATTRIBUTE_ERR', 10],
  ['InvalidStateError', 'INVALID_STATE_ERR', 11],
  ['SyntaxError', 'SYNTAX_ERR', 12],
  ['InvalidModificationError', 'INVALID_MODIFICATION_ERR', 13],
  ['NamespaceError', 'NAMESPACE_ERR', 14],
  ['InvalidAccessError', 'INVALID_ACCESS_ERR', 15],
  [null, 'VALIDATION_ERR', 16],
  ['TypeMismatchError', 'TYPE_MISMATCH_ERR', 17],
  ['SecurityError', 'SECURITY_ERR', 18],
  ['NetworkError', 'NETWORK_ERR', 19],
  ['AbortError', 'ABORT_ERR', 20],
  ['URLMismatchError', 'URL_MISMATCH_ERR', 21],
  ['QuotaExceededError', 'QUOTA_EXCEEDED_ERR', 22],
  ['TimeoutError', 'TIMEOUT_ERR', 23],
  ['InvalidNodeTypeError', 'INVALID_NODE_TYPE_ERR', 24],
  ['DataCloneError', 'DATA_CLONE_ERR', 25],
];
const codeByName = new Map();
for (const [name, , code] of legacyCodes) if (name !== null) codeByName.set(name, code);

class DOMException extends Error {
  #name;
  #message;

  constructor(message = '', options = 'Error') {
    super();
    this.#message = `${message}`;
    if (options !== null && typeof options === 'object') {
      // The newer options-bag form: {name, cause}.
      const name = options.name;
      this.#name = name === undefined ? 'Error' : `${name}`;
      if ('cause' in options) {
        ObjectDefineProperty(this, 'cause', {
          value: options.cause, writable: true, configurable: true, enumerable: false,
        });
      }
    } else {
      this.#name = `${options}`;
    }
    // Capture again now that name and message are known, so the stack's first line reads
    // "AbortError: ..." rather than "Error".
    if (typeof ErrorCaptureStackTrace === 'function') ErrorCaptureStackTrace(this, new.target);
  }

  get name() {
    return this.#name;
  }

  get message() {
    return this.#message;
  }

  get code() {
    return codeByName.get(this.#name) || 0;
  }

  static {
    internal.isDOMException = (value) => value !== null && typeof value === 'object' &&
      #name in value;
  }
}
finishClass(DOMException);
for (const [, constant, code] of legacyCodes) {
  const desc = { value: code, enumerable: true, writable: false, configurable: false };
  ObjectDefineProperty(DOMException, constant, desc);
  ObjectDefineProperty(DOMException.prototype, constant, desc);
}

// ---------------------------------------------------------------------------------------------
// Event

const NONE = 0;
const CAPTURING_PHASE = 1;
const AT_TARGET = 2;
const BUBBLING_PHASE = 3;

let eventState;

class Event {
  #type;
  #bubbles;
  #cancelable;
  #composed;
  #target = null;
  #currentTarget = null;
  #phase = NONE;
  #canceled = false;
  #stopPropagation = false;
  #stopImmediate = false;
  #inPassiveListener = false;
  #dispatching = false;
  #trusted = false;
  #timeStamp;

  constructor(type, eventInitDict = undefined) {
    requireArgs(arguments.length, 1, `Failed to construct '${new.target.name}'`);
    const init = dictionary(eventInitDict, `Failed to construct '${new.target.name}'`);
    this.#type = `${type}`;
    this.#bubbles = !!init.bubbles;
    this.#cancelable = !!init.cancelable;
    this.#composed = !!init.composed;
    this.#timeStamp = natives.now() - internal.timeOrigin;
  }

  get type() { return this.#type; }
  get target() { return this.#target; }
  get srcElement() { return this.#target; }
  get currentTarget() { return this.#currentTarget; }
  get eventPhase() { return this.#phase; }
  get bubbles() { return this.#bubbles; }
  get cancelable() { return this.#cancelable; }
  get composed() { return this.#composed; }
  get defaultPrevented() { return this.#canceled; }
  get isTrusted() { return this.#trusted; }
  get timeStamp() { return this.#timeStamp; }

  get returnValue() { return !this.#canceled; }
  set returnValue(value) {
    if (!value) this.preventDefault();
  }

  get cancelBubble() { return this.#stopPropagation; }
  set cancelBubble(value) {
    if (value) this.#stopPropagation = true;
  }

  composedPath() {
    // There are no trees here, so the path is just the target while it is being dispatched.
    return this.#dispatching && this.#currentTarget !== null ? [this.#currentTarget] : [];
  }

  stopPropagation() {
    this.#stopPropagation = true;
  }

  stopImmediatePropagation() {
    this.#stopPropagation = true;
    this.#stopImmediate = true;
  }

  preventDefault() {
    if (this.#cancelable && !this.#inPassiveListener) this.#canceled = true;
  }

  initEvent(type, bubbles = false, cancelable = false) {
    requireArgs(arguments.length, 1, "Failed to execute 'initEvent' on 'Event'");
    if (this.#dispatching) return;
    this.#type = `${type}`;
    this.#bubbles = !!bubbles;
    this.#cancelable = !!cancelable;
    this.#canceled = false;
    this.#stopPropagation = false;
    this.#stopImmediate = false;
    this.#trusted = false;
    this.#target = null;
  }

  static {
    // EventTarget's dispatch needs to drive the event's internal flags.
    eventState = {
      isEvent: (value) => value !== null && typeof value === 'object' && #type in value,
      isDispatching: (event) => event.#dispatching,
      begin(event, target, trusted) {
        event.#dispatching = true;
        event.#trusted = trusted;
        event.#target = target;
        event.#currentTarget = target;
        event.#phase = AT_TARGET;
      },
      end(event) {
        event.#dispatching = false;
        event.#phase = NONE;
        event.#currentTarget = null;
        event.#stopPropagation = false;
        event.#stopImmediate = false;
        return !event.#canceled;
      },
      propagationStopped: (event) => event.#stopPropagation,
      immediateStopped: (event) => event.#stopImmediate,
      setPassive(event, passive) {
        event.#inPassiveListener = passive;
      },
    };
  }
}
finishClass(Event);
for (const [name, value] of [['NONE', NONE], ['CAPTURING_PHASE', CAPTURING_PHASE],
  ['AT_TARGET', AT_TARGET], ['BUBBLING_PHASE', BUBBLING_PHASE]]) {
  const desc = { value, enumerable: true, writable: false, configurable: false };
  ObjectDefineProperty(Event, name, desc);
  ObjectDefineProperty(Event.prototype, name, desc);
}

// ---------------------------------------------------------------------------------------------
// EventTarget

// Abort signals are defined below; addEventListener's `signal` option needs these hooks.
let isAbortSignal;
let addAbortAlgorithm;

function flattenOptions(options, forAdd) {
  if (typeof options === 'boolean' || options === undefined || options === null ||
      (typeof options !== 'object' && typeof options !== 'function')) {
    return { capture: !!options, once: false, passive: false, signal: undefined };
  }
  const capture = !!options.capture;
  if (!forAdd) return { capture };
  const once = !!options.once;
  const passive = !!options.passive;
  const signal = options.signal;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': " +
      "member signal is not of type AbortSignal.");
  }
  return { capture, once, passive, signal };
}

function invokeListener(target, listener, event) {
  const callback = listener.callback;
  eventState.setPassive(event, listener.passive);
  try {
    if (typeof callback === 'function') {
      ReflectApply(callback, target, [event]);
    } else {
      // Callback interfaces look up handleEvent at call time, so it may change between events.
      const handleEvent = callback.handleEvent;
      if (typeof handleEvent !== 'function') {
        throw new TypeError("The listener's handleEvent property is not a function.");
      }
      ReflectApply(handleEvent, callback, [event]);
    }
  } catch (error) {
    // A throwing listener must not keep the others from seeing the event.
    report(error);
  } finally {
    eventState.setPassive(event, false);
  }
}

let dispatchInternal;

class EventTarget {
  // type -> array of listener records; records are flagged `removed` so that a dispatch already
  // iterating over a snapshot skips listeners removed mid-dispatch.
  #listeners = new Map();

  addEventListener(type, callback, options = undefined) {
    requireArgs(arguments.length, 2, "Failed to execute 'addEventListener' on 'EventTarget'");
    type = `${type}`;
    const { capture, once, passive, signal } = flattenOptions(options, true);
    if (callback === null || callback === undefined) return;
    if (typeof callback !== 'function' && typeof callback !== 'object') {
      throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': " +
        "parameter 2 is not of type 'Object'.");
    }
    if (signal !== undefined && signal.aborted) return;
    let list = this.#listeners.get(type);
    if (list === undefined) {
      list = [];
      this.#listeners.set(type, list);
    }
    for (const existing of list) {
      if (existing.callback === callback && existing.capture === capture) return;
    }
    const record = { callback, capture, once, passive, removed: false, stopFollowing: null };
    list.push(record);
    if (signal !== undefined) {
      record.stopFollowing = addAbortAlgorithm(signal, () => this.#removeRecord(type, record));
    }
  }

  removeEventListener(type, callback, options = undefined) {
    requireArgs(arguments.length, 2, "Failed to execute 'removeEventListener' on 'EventTarget'");
    type = `${type}`;
    const { capture } = flattenOptions(options, false);
    const list = this.#listeners.get(type);
    if (list === undefined) return;
    for (const record of list) {
      if (record.callback === callback && record.capture === capture) {
        this.#removeRecord(type, record);
        return;
      }
    }
  }

  dispatchEvent(event) {
    requireArgs(arguments.length, 1, "Failed to execute 'dispatchEvent' on 'EventTarget'");
    if (!eventState.isEvent(event)) {
      throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': " +
        "parameter 1 is not of type 'Event'.");
    }
    return this.#dispatch(event, false);
  }

  #removeRecord(type, record) {
    const list = this.#listeners.get(type);
    if (list === undefined) return;
    const index = list.indexOf(record);
    if (index === -1) return;
    record.removed = true;
    // A long-lived signal must not keep removed listeners (and their targets) alive.
    if (record.stopFollowing !== null) record.stopFollowing();
    list.splice(index, 1);
    if (list.length === 0) this.#listeners.delete(type);
  }

  #dispatch(event, trusted) {
    if (eventState.isDispatching(event)) {
      throw new DOMException('The event is already being dispatched.', 'InvalidStateError');
    }
    eventState.begin(event, this, trusted);
    let notCanceled;
    try {
      const list = this.#listeners.get(event.type);
      if (list !== undefined) {
        const snapshot = list.slice();
        // At the target, capturing listeners run before non-capturing ones (DOM "invoke" runs the
        // capturing pass and then the bubbling pass for the same target).
        for (const capturePass of [true, false]) {
          if (eventState.propagationStopped(event)) break;
          for (const record of snapshot) {
            if (record.removed || record.capture !== capturePass) continue;
            if (record.once) this.#removeRecord(event.type, record);
            invokeListener(this, record, event);
            if (eventState.immediateStopped(event)) break;
          }
        }
      }
    } finally {
      notCanceled = eventState.end(event);
    }
    return notCanceled;
  }

  static {
    dispatchInternal = (target, event, trusted) => target.#dispatch(event, trusted);
    internal.isEventTarget = (value) => value !== null && typeof value === 'object' &&
      #listeners in value;
  }
}
finishClass(EventTarget);

// Lets other built-ins fire events with isTrusted = true (dispatchEvent always makes it false).
internal.dispatchTrustedEvent = (target, event) => dispatchInternal(target, event, true);

// HTML "event handler IDL attributes" such as onabort: the handler is one listener registered
// when first set, which calls whatever handler is current.
const eventHandlers = new WeakMap();
function defineEventHandler(proto, type) {
  ObjectDefineProperty(proto, `on${type}`, {
    configurable: true,
    enumerable: true,
    get() {
      const handlers = eventHandlers.get(this);
      const state = handlers && handlers.get(type);
      return state ? state.value : null;
    },
    set(value) {
      if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) {
        value = null;
      }
      let handlers = eventHandlers.get(this);
      if (handlers === undefined) {
        handlers = new Map();
        eventHandlers.set(this, handlers);
      }
      let state = handlers.get(type);
      if (value === null) {
        if (state !== undefined) {
          ReflectApply(EventTarget.prototype.removeEventListener, this, [type, state.listener]);
          handlers.delete(type);
        }
        return;
      }
      if (state !== undefined) {
        state.value = value;
        return;
      }
      state = {
        value,
        listener(event) {
          const handler = state.value;
          if (typeof handler !== 'function') return;
          if (ReflectApply(handler, this, [event]) === false) event.preventDefault();
        },
      };
      handlers.set(type, state);
      ReflectApply(EventTarget.prototype.addEventListener, this, [type, state.listener]);
    },
  });
}
internal.defineEventHandler = defineEventHandler;

// ---------------------------------------------------------------------------------------------
// AbortSignal / AbortController

const kConstruct = Symbol('kiln.construct');
let signalAbort;

function abortError() {
  const error = new DOMException('The operation was aborted', 'AbortError');
  // Start the stack at whoever aborted, not inside this helper.
  if (typeof ErrorCaptureStackTrace === 'function') ErrorCaptureStackTrace(error, abortError);
  return error;
}

// Web IDL [EnforceRange] unsigned long long.
function enforceRangeULL(value, what) {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`${what}: Value is not a finite number.`);
  const t = Math.trunc(n);
  if (t < 0 || t > Number.MAX_SAFE_INTEGER) {
    throw new TypeError(`${what}: Value is outside the 'unsigned long long' value range.`);
  }
  return t;
}

class AbortSignal extends EventTarget {
  #aborted = false;
  #reason = undefined;
  #algorithms = new Set();
  // Signals made by AbortSignal.any() that follow this one. Held strongly: a dependent signal
  // with listeners must stay alive as long as one of its sources can still abort.
  #dependents = null;
  // For a dependent signal, the (non-dependent) signals it follows.
  #sources = null;

  constructor(token) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor');
    super();
  }

  get aborted() {
    return this.#aborted;
  }

  get reason() {
    return this.#reason;
  }

  throwIfAborted() {
    if (this.#aborted) throw this.#reason;
  }

  static abort(reason = undefined) {
    const signal = new AbortSignal(kConstruct);
    signal.#aborted = true;
    signal.#reason = reason === undefined ? abortError() : reason;
    return signal;
  }

  static timeout(milliseconds) {
    requireArgs(arguments.length, 1, "Failed to execute 'timeout' on 'AbortSignal'");
    const ms = enforceRangeULL(milliseconds, "Failed to execute 'timeout' on 'AbortSignal'");
    const signal = new AbortSignal(kConstruct);
    // Timer delays are capped at 2^31-1 ms (about 24.8 days), like setTimeout's.
    natives.setTimer(() => {
      signal.#signalAbort(
        new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, Math.min(ms, 2147483647), false);
    return signal;
  }

  static any(signals) {
    requireArgs(arguments.length, 1, "Failed to execute 'any' on 'AbortSignal'");
    const list = [];
    for (const signal of signals) {
      if (!isAbortSignal(signal)) {
        throw new TypeError("Failed to execute 'any' on 'AbortSignal': " +
          'every element must be an AbortSignal.');
      }
      list.push(signal);
    }
    const result = new AbortSignal(kConstruct);
    for (const signal of list) {
      if (signal.#aborted) {
        result.#aborted = true;
        result.#reason = signal.#reason;
        return result;
      }
    }
    // Follow the original sources rather than intermediate dependents, as the spec does, so an
    // abort reaches every dependent in one step.
    const sources = new Set();
    for (const signal of list) {
      if (signal.#sources !== null) {
        for (const source of signal.#sources) sources.add(source);
      } else {
        sources.add(signal);
      }
    }
    result.#sources = sources;
    for (const source of sources) {
      if (source.#dependents === null) source.#dependents = new Set();
      source.#dependents.add(result);
    }
    return result;
  }

  #signalAbort(reason) {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? abortError() : reason;
    const dependents = [];
    if (this.#dependents !== null) {
      for (const dependent of this.#dependents) {
        if (dependent.#aborted) continue;
        dependent.#aborted = true;
        dependent.#reason = this.#reason;
        dependents.push(dependent);
      }
    }
    this.#runAbortSteps();
    for (const dependent of dependents) dependent.#runAbortSteps();
  }

  #runAbortSteps() {
    // Once aborted, the links are useless; dropping them lets the signals be collected.
    if (this.#dependents !== null) this.#dependents = null;
    if (this.#sources !== null) {
      for (const source of this.#sources) {
        if (source.#dependents !== null) source.#dependents.delete(this);
      }
      this.#sources = null;
    }
    const algorithms = [...this.#algorithms];
    this.#algorithms.clear();
    for (const algorithm of algorithms) {
      try {
        algorithm(this.#reason);
      } catch (error) {
        report(error);
      }
    }
    dispatchInternal(this, new Event('abort'), true);
  }

  static {
    isAbortSignal = (value) => value !== null && typeof value === 'object' && #aborted in value;
    signalAbort = (signal, reason) => signal.#signalAbort(reason);
    addAbortAlgorithm = (signal, algorithm) => {
      if (signal.#aborted) return () => {};
      signal.#algorithms.add(algorithm);
      return () => signal.#algorithms.delete(algorithm);
    };
  }
}
finishClass(AbortSignal);
defineEventHandler(AbortSignal.prototype, 'abort');

class AbortController {
  #signal = new AbortSignal(kConstruct);

  get signal() {
    return this.#signal;
  }

  abort(reason = undefined) {
    signalAbort(this.#signal, reason);
  }
}
finishClass(AbortController);

// Hooks for other built-ins (fetch, streams): they create and abort signals and attach steps
// that must run before the 'abort' event is fired.
internal.createAbortSignal = () => new AbortSignal(kConstruct);
internal.signalAbort = (signal, reason) => signalAbort(signal, reason);
// Returns a function removing the algorithm again. Does nothing if already aborted.
internal.addAbortAlgorithm = (signal, algorithm) => addAbortAlgorithm(signal, algorithm);
internal.isAbortSignal = (value) => isAbortSignal(value);
internal.isEvent = (value) => eventState.isEvent(value);

internal.inspectHooks.set(Event.prototype, (event) => ({
  type: event.type, defaultPrevented: event.defaultPrevented, cancelable: event.cancelable,
  timeStamp: event.timeStamp,
}));
internal.inspectHooks.set(AbortSignal.prototype, (signal) => ({
  aborted: signal.aborted, reason: signal.reason,
}));
internal.inspectHooks.set(AbortController.prototype, (controller) => ({
  signal: controller.signal,
}));

internal.DOMException = DOMException;
internal.Event = Event;
internal.EventTarget = EventTarget;
internal.AbortSignal = AbortSignal;
internal.AbortController = AbortController;

internal.defineGlobal('DOMException', DOMException);
internal.defineGlobal('Event', Event);
internal.defineGlobal('EventTarget', EventTarget);
internal.defineGlobal('AbortSignal', AbortSignal);
internal.defineGlobal('AbortController', AbortController);
