// Tests for events.js: Event, EventTarget, DOMException, AbortController and AbortSignal.

import { assert, assertEqual, assertDeepEqual, assertThrows, sleep } from 'assert.js';

export const eventDefaults = {
  test() {
    const event = new Event('ping');
    assertEqual(event.type, 'ping');
    assertEqual(event.bubbles, false);
    assertEqual(event.cancelable, false);
    assertEqual(event.composed, false);
    assertEqual(event.defaultPrevented, false);
    assertEqual(event.isTrusted, false);
    assertEqual(event.target, null);
    assertEqual(event.currentTarget, null);
    assertEqual(event.eventPhase, Event.NONE);
    assertEqual(typeof event.timeStamp, 'number');
    assertEqual(Object.prototype.toString.call(event), '[object Event]');
  },
};

export const eventInitAndPreventDefault = {
  test() {
    const plain = new Event('x');
    plain.preventDefault();
    // Only cancelable events can be canceled.
    assertEqual(plain.defaultPrevented, false);
    const event = new Event('x', { bubbles: true, cancelable: 1, composed: 'yes' });
    assertEqual(event.bubbles, true);
    assertEqual(event.cancelable, true);
    assertEqual(event.composed, true);
    event.preventDefault();
    assertEqual(event.defaultPrevented, true);
    assertEqual(event.returnValue, false);
  },
};

export const eventConstructorValidatesArguments = {
  test() {
    assertThrows(() => new Event(), TypeError);
    assertThrows(() => new Event('x', 5), TypeError);
    assertEqual(new Event(42).type, '42');
    assertEqual(Event.AT_TARGET, 2);
    assertEqual(new Event('x').BUBBLING_PHASE, 3);
  },
};

export const dispatchRunsListenersInOrder = {
  test() {
    const target = new EventTarget();
    const calls = [];
    target.addEventListener('go', () => calls.push('a'));
    target.addEventListener('go', () => calls.push('b'));
    target.addEventListener('other', () => calls.push('other'));
    assertEqual(target.dispatchEvent(new Event('go')), true);
    assertDeepEqual(calls, ['a', 'b']);
  },
};

export const capturingListenersRunFirst = {
  test() {
    const target = new EventTarget();
    const calls = [];
    target.addEventListener('go', () => calls.push('bubble'));
    target.addEventListener('go', () => calls.push('capture'), { capture: true });
    target.dispatchEvent(new Event('go'));
    assertDeepEqual(calls, ['capture', 'bubble']);
  },
};

export const listenerSeesTargetAndPhase = {
  test() {
    const target = new EventTarget();
    const event = new Event('go', { cancelable: true });
    let seen = null;
    target.addEventListener('go', function listener(e) {
      seen = {
        same: e === event, target: e.target === target, current: e.currentTarget === target,
        thisIsTarget: this === target, phase: e.eventPhase, path: e.composedPath().length,
      };
      e.preventDefault();
    });
    assertEqual(target.dispatchEvent(event), false);
    assertDeepEqual(seen, {
      same: true, target: true, current: true, thisIsTarget: true, phase: 2, path: 1,
    });
    // After dispatch only the target is kept.
    assertEqual(event.currentTarget, null);
    assertEqual(event.target, target);
    assertEqual(event.eventPhase, 0);
    assertEqual(event.defaultPrevented, true);
  },
};

export const duplicateListenersAreIgnored = {
  test() {
    const target = new EventTarget();
    let count = 0;
    const listener = () => count++;
    target.addEventListener('go', listener);
    target.addEventListener('go', listener);
    target.addEventListener('go', listener, { capture: false });
    // A different capture flag makes it a different registration.
    target.addEventListener('go', listener, true);
    target.dispatchEvent(new Event('go'));
    assertEqual(count, 2);
    target.removeEventListener('go', listener);
    target.dispatchEvent(new Event('go'));
    assertEqual(count, 3);
    target.removeEventListener('go', listener, { capture: true });
    target.dispatchEvent(new Event('go'));
    assertEqual(count, 3);
  },
};

export const onceListenersRunOnce = {
  test() {
    const target = new EventTarget();
    let count = 0;
    target.addEventListener('go', () => count++, { once: true });
    target.dispatchEvent(new Event('go'));
    target.dispatchEvent(new Event('go'));
    assertEqual(count, 1);
  },
};

export const signalOptionRemovesListener = {
  test() {
    const target = new EventTarget();
    const controller = new AbortController();
    let count = 0;
    target.addEventListener('go', () => count++, { signal: controller.signal });
    target.dispatchEvent(new Event('go'));
    controller.abort();
    target.dispatchEvent(new Event('go'));
    assertEqual(count, 1);
    // An already-aborted signal means the listener is never added.
    target.addEventListener('go', () => count++, { signal: AbortSignal.abort() });
    target.dispatchEvent(new Event('go'));
    assertEqual(count, 1);
    assertThrows(() => target.addEventListener('go', () => {}, { signal: {} }), TypeError);
  },
};

export const handleEventObjects = {
  test() {
    const target = new EventTarget();
    const calls = [];
    const listener = {
      handleEvent(event) {
        calls.push([this === listener, event.type]);
      },
    };
    target.addEventListener('go', listener);
    target.dispatchEvent(new Event('go'));
    // handleEvent is looked up on every dispatch.
    listener.handleEvent = () => calls.push('replaced');
    target.dispatchEvent(new Event('go'));
    assertDeepEqual(calls, [[true, 'go'], 'replaced']);
    assertThrows(() => target.addEventListener('go', 'not a listener'), TypeError);
    // null listeners are accepted and ignored.
    target.addEventListener('go', null);
  },
};

export const changesDuringDispatch = {
  test() {
    const target = new EventTarget();
    const calls = [];
    const second = () => calls.push('second');
    target.addEventListener('go', () => {
      calls.push('first');
      target.removeEventListener('go', second);
      target.addEventListener('go', () => calls.push('added'));
    });
    target.addEventListener('go', second);
    target.dispatchEvent(new Event('go'));
    // The removed listener is skipped; the one added mid-dispatch waits for the next event.
    assertDeepEqual(calls, ['first']);
    target.dispatchEvent(new Event('go'));
    assertDeepEqual(calls, ['first', 'first', 'added']);
  },
};

export const stopImmediatePropagation = {
  test() {
    const target = new EventTarget();
    const calls = [];
    target.addEventListener('go', (e) => {
      calls.push(1);
      e.stopImmediatePropagation();
    });
    target.addEventListener('go', () => calls.push(2));
    target.dispatchEvent(new Event('go'));
    assertDeepEqual(calls, [1]);
    // The flag is cleared after dispatch, so the same event can be dispatched again.
    calls.length = 0;
    const event = new Event('other');
    target.addEventListener('other', () => calls.push('x'));
    target.dispatchEvent(event);
    target.dispatchEvent(event);
    assertDeepEqual(calls, ['x', 'x']);
  },
};

export const throwingListenerDoesNotStopDispatch = {
  test() {
    const target = new EventTarget();
    const calls = [];
    target.addEventListener('go', () => {
      calls.push('throws');
      throw new Error('listener failure (expected in this test)');
    });
    target.addEventListener('go', () => calls.push('after'));
    assertEqual(target.dispatchEvent(new Event('go')), true);
    assertDeepEqual(calls, ['throws', 'after']);
  },
};

export const passiveListenersCannotCancel = {
  test() {
    const target = new EventTarget();
    target.addEventListener('go', (e) => e.preventDefault(), { passive: true });
    const event = new Event('go', { cancelable: true });
    assertEqual(target.dispatchEvent(event), true);
    assertEqual(event.defaultPrevented, false);
  },
};

export const dispatchValidation = {
  test() {
    const target = new EventTarget();
    assertThrows(() => target.dispatchEvent({ type: 'go' }), TypeError);
    assertThrows(() => target.dispatchEvent(), TypeError);
    let inner = null;
    const event = new Event('go');
    target.addEventListener('go', () => {
      try {
        target.dispatchEvent(event);
      } catch (e) {
        inner = e;
      }
    });
    target.dispatchEvent(event);
    assert(inner instanceof DOMException, 're-dispatching a dispatching event must throw');
    assertEqual(inner.name, 'InvalidStateError');
  },
};

export const subclassesWork = {
  test() {
    class Emitter extends EventTarget {
      fire(detail) {
        const event = new DetailEvent('fire', detail);
        this.dispatchEvent(event);
        return event;
      }
    }
    class DetailEvent extends Event {
      constructor(type, detail) {
        super(type);
        this.detail = detail;
      }
    }
    const emitter = new Emitter();
    let got = null;
    emitter.addEventListener('fire', (e) => {
      got = e.detail;
    });
    const event = emitter.fire(42);
    assertEqual(got, 42);
    assert(event instanceof Event);
    assertEqual(event.isTrusted, false);
  },
};

export const domExceptionBasics = {
  test() {
    const error = new DOMException('it broke', 'AbortError');
    assert(error instanceof Error, 'DOMException must be an Error');
    assert(error instanceof DOMException);
    assertEqual(error.name, 'AbortError');
    assertEqual(error.message, 'it broke');
    assertEqual(error.code, 20);
    assertEqual(typeof error.stack, 'string');
    assert(error.stack.startsWith('AbortError: it broke'), error.stack);
    assertEqual(String(error), 'AbortError: it broke');
    assertEqual(Object.prototype.toString.call(error), '[object DOMException]');
  },
};

export const domExceptionCodes = {
  test() {
    const codes = {
      IndexSizeError: 1, HierarchyRequestError: 3, InvalidCharacterError: 5, NotFoundError: 8,
      NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12, InvalidAccessError: 15,
      TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
      QuotaExceededError: 22, TimeoutError: 23, DataCloneError: 25, EncodingError: 0,
      NotAllowedError: 0, OperationError: 0,
    };
    for (const [name, code] of Object.entries(codes)) {
      assertEqual(new DOMException('', name).code, code, name);
    }
    assertEqual(DOMException.ABORT_ERR, 20);
    assertEqual(DOMException.DATA_CLONE_ERR, 25);
    assertEqual(DOMException.QUOTA_EXCEEDED_ERR, 22);
    assertEqual(new DOMException().INVALID_STATE_ERR, 11);
  },
};

export const domExceptionDefaults = {
  test() {
    const error = new DOMException();
    assertEqual(error.name, 'Error');
    assertEqual(error.message, '');
    assertEqual(error.code, 0);
    const withCause = new DOMException('m', { name: 'DataCloneError', cause: 'why' });
    assertEqual(withCause.name, 'DataCloneError');
    assertEqual(withCause.cause, 'why');
  },
};

export const abortControllerAborts = {
  test() {
    const controller = new AbortController();
    const { signal } = controller;
    assertEqual(signal.aborted, false);
    assertEqual(signal.reason, undefined);
    signal.throwIfAborted();
    const events = [];
    signal.addEventListener('abort', (e) => events.push(['listener', e.isTrusted, signal.aborted]));
    signal.onabort = (e) => events.push(['onabort', e.type]);
    controller.abort();
    controller.abort('again');
    assertEqual(signal.aborted, true);
    assert(signal.reason instanceof DOMException);
    assertEqual(signal.reason.name, 'AbortError');
    assertDeepEqual(events, [['listener', true, true], ['onabort', 'abort']]);
    const thrown = assertThrows(() => signal.throwIfAborted(), DOMException);
    assertEqual(thrown, signal.reason);
  },
};

export const abortWithReason = {
  test() {
    const controller = new AbortController();
    const reason = new Error('custom');
    controller.abort(reason);
    assertEqual(controller.signal.reason, reason);
    assertEqual(assertThrows(() => controller.signal.throwIfAborted()), reason);
  },
};

export const onabortCanBeReplacedAndCleared = {
  test() {
    const controller = new AbortController();
    const calls = [];
    controller.signal.onabort = () => calls.push('first');
    controller.signal.onabort = () => calls.push('second');
    assertEqual(typeof controller.signal.onabort, 'function');
    controller.abort();
    assertDeepEqual(calls, ['second']);
    const other = new AbortController();
    other.signal.onabort = () => calls.push('cleared');
    other.signal.onabort = null;
    assertEqual(other.signal.onabort, null);
    other.abort();
    assertDeepEqual(calls, ['second']);
  },
};

export const abortSignalAbort = {
  test() {
    const signal = AbortSignal.abort();
    assertEqual(signal.aborted, true);
    assertEqual(signal.reason.name, 'AbortError');
    assertEqual(AbortSignal.abort('why').reason, 'why');
    assertThrows(() => new AbortSignal(), TypeError);
    assertEqual(Object.prototype.toString.call(signal), '[object AbortSignal]');
    assert(signal instanceof EventTarget);
  },
};

export const abortSignalTimeout = {
  async test() {
    const signal = AbortSignal.timeout(10);
    assertEqual(signal.aborted, false);
    const reason = await new Promise((resolve) => {
      signal.addEventListener('abort', () => resolve(signal.reason));
    });
    assert(reason instanceof DOMException);
    assertEqual(reason.name, 'TimeoutError');
    assertEqual(reason.code, 23);
    assertThrows(() => AbortSignal.timeout(-1), TypeError);
    assertThrows(() => AbortSignal.timeout(NaN), TypeError);
    assertThrows(() => AbortSignal.timeout(), TypeError);
  },
};

export const abortSignalAny = {
  test() {
    const a = new AbortController();
    const b = new AbortController();
    const combined = AbortSignal.any([a.signal, b.signal]);
    const nested = AbortSignal.any([combined]);
    let fired = 0;
    combined.addEventListener('abort', () => fired++);
    nested.addEventListener('abort', () => fired++);
    assertEqual(combined.aborted, false);
    b.abort('b went first');
    assertEqual(combined.aborted, true);
    assertEqual(combined.reason, 'b went first');
    assertEqual(nested.reason, 'b went first');
    assertEqual(fired, 2);
    a.abort('too late');
    assertEqual(combined.reason, 'b went first');
    assertEqual(fired, 2);
  },
};

export const abortSignalAnyOfAborted = {
  test() {
    const already = AbortSignal.abort('first');
    const combined = AbortSignal.any([new AbortController().signal, already]);
    assertEqual(combined.aborted, true);
    assertEqual(combined.reason, 'first');
    assertEqual(AbortSignal.any([]).aborted, false);
    assertThrows(() => AbortSignal.any([{}]), TypeError);
  },
};

export const abortSignalTimeoutInAny = {
  async test() {
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(5)]);
    await sleep(40);
    assertEqual(signal.aborted, true);
    assertEqual(signal.reason.name, 'TimeoutError');
  },
};

export const globalsAreNotEnumerable = {
  test() {
    for (const name of ['Event', 'EventTarget', 'DOMException', 'AbortController', 'AbortSignal']) {
      const desc = Object.getOwnPropertyDescriptor(globalThis, name);
      assert(desc !== undefined, `${name} is missing`);
      assertEqual(desc.enumerable, false, name);
      assertEqual(desc.writable, true, name);
      assertEqual(desc.configurable, true, name);
    }
  },
};
