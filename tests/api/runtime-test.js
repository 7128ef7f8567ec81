// Tests for runtime.js: timers, queueMicrotask, structuredClone, crypto, performance, navigator,
// self, reportError and console. Console output itself is not observable from JavaScript, so
// the console tests only check that logging never throws, whatever it is given.

import { assert, assertEqual, assertDeepEqual, assertThrows, sleep } from 'assert.js';

export const setTimeoutPassesArguments = {
  async test() {
    const args = await new Promise((resolve) => {
      const id = setTimeout((...received) => resolve(received), 1, 'a', 2, null);
      assert(Number.isInteger(id) && id > 0, `timer ids are positive integers, got ${id}`);
    });
    assertDeepEqual(args, ['a', 2, null]);
  },
};

export const timersRunInDelayOrder = {
  async test() {
    const order = [];
    setTimeout(() => order.push('late'), 30);
    setTimeout(() => order.push('early'), 1);
    // Negative and NaN delays mean 0.
    setTimeout(() => order.push('negative'), -100);
    setTimeout(() => order.push('nan'), 'soon');
    await sleep(60);
    assertEqual(order[order.length - 1], 'late');
    assertEqual(order.length, 4);
  },
};

export const clearTimeoutCancels = {
  async test() {
    let fired = false;
    const id = setTimeout(() => {
      fired = true;
    }, 5);
    clearTimeout(id);
    await sleep(30);
    assertEqual(fired, false);
    // Unknown or odd ids are ignored.
    clearTimeout(undefined);
    clearTimeout(null);
    clearTimeout({});
    clearTimeout(-1);
    clearTimeout(123456789);
    clearInterval('x');
  },
};

export const setIntervalRepeats = {
  async test() {
    let count = 0;
    const done = new Promise((resolve) => {
      const id = setInterval((step) => {
        count += step;
        if (count === 3) {
          clearInterval(id);
          resolve();
        }
      }, 2, 1);
    });
    await done;
    await sleep(20);
    assertEqual(count, 3, 'the interval must stop once cleared');
  },
};

export const timersRequireFunctions = {
  test() {
    // eslint-disable-next-line no-implied-eval
    assertThrows(() => setTimeout('globalThis.hacked = true', 0), TypeError);
    assertThrows(() => setInterval(null, 0), TypeError);
    assertThrows(() => setTimeout(), TypeError);
    assertEqual(globalThis.hacked, undefined);
  },
};

export const timerExceptionsDoNotStopLaterTimers = {
  async test() {
    let after = false;
    setTimeout(() => {
      throw new Error('timer failure (expected in this test)');
    }, 1);
    setTimeout(() => {
      after = true;
    }, 5);
    await sleep(30);
    assertEqual(after, true);
  },
};

export const timerThisIsGlobal = {
  async test() {
    const self = await new Promise((resolve) => {
      setTimeout(function callback() {
        resolve(this);
      }, 0);
    });
    assertEqual(self, globalThis);
  },
};

export const queueMicrotaskOrdering = {
  async test() {
    const order = [];
    setTimeout(() => order.push('timeout'), 0);
    queueMicrotask(() => order.push('micro1'));
    Promise.resolve().then(() => order.push('promise'));
    queueMicrotask(() => order.push('micro2'));
    order.push('sync');
    await sleep(10);
    assertDeepEqual(order, ['sync', 'micro1', 'promise', 'micro2', 'timeout']);
  },
};

export const queueMicrotaskValidatesAndIsolatesErrors = {
  async test() {
    assertThrows(() => queueMicrotask('code'), TypeError);
    assertThrows(() => queueMicrotask(), TypeError);
    let ran = false;
    queueMicrotask(() => {
      throw new Error('microtask failure (expected in this test)');
    });
    queueMicrotask(() => {
      ran = true;
    });
    await sleep(1);
    assertEqual(ran, true);
  },
};

export const structuredCloneCopiesDeeply = {
  test() {
    const original = {
      n: 1, s: 'two', nested: { list: [1, { deep: true }] }, date: new Date(5),
      map: new Map([['k', { v: 1 }]]), set: new Set([1, 2]), bytes: new Uint8Array([1, 2, 3]),
      re: /x+/gi, big: 10n, undef: undefined,
    };
    original.self = original;
    const copy = structuredClone(original);
    assert(copy !== original && copy.nested !== original.nested, 'must be a copy');
    assertEqual(copy.self, copy, 'cycles are preserved');
    assertDeepEqual(copy.nested, { list: [1, { deep: true }] });
    assert(copy.date instanceof Date);
    assertEqual(copy.date.getTime(), 5);
    assert(copy.map instanceof Map);
    assertEqual(copy.map.get('k').v, 1);
    assertDeepEqual([...copy.set], [1, 2]);
    assert(copy.bytes instanceof Uint8Array);
    assertDeepEqual([...copy.bytes], [1, 2, 3]);
    assertEqual(copy.re.source, 'x+');
    assertEqual(copy.re.flags, 'gi');
    assertEqual(copy.big, 10n);
    assert('undef' in copy);
    assertEqual(structuredClone(undefined), undefined);
    assertEqual(structuredClone('s'), 's');
  },
};

export const structuredCloneErrors = {
  test() {
    for (const value of [() => {}, Symbol('s'), { f() {} }]) {
      const error = assertThrows(() => structuredClone(value), DOMException);
      assertEqual(error.name, 'DataCloneError');
      assertEqual(error.code, 25);
      assert(error.message.length > 0, 'the message explains what failed');
    }
    assertThrows(() => structuredClone(), TypeError);
    assertThrows(() => structuredClone(1, { transfer: 5 }), TypeError);
    assertThrows(() => structuredClone(1, { transfer: [1] }), TypeError);
    assertEqual(structuredClone(1, { transfer: [] }), 1);
    assertEqual(structuredClone(2, null), 2);
  },
};

export const getRandomValuesFillsIntegerArrays = {
  test() {
    const array = new Uint8Array(64);
    const result = crypto.getRandomValues(array);
    assertEqual(result, array, 'returns the same array');
    // 64 zero bytes from a working generator is a 2^-512 event.
    assert(array.some((b) => b !== 0), 'bytes were filled');
    for (const Type of [Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
      Uint32Array, BigInt64Array, BigUint64Array]) {
      const typed = new Type(4);
      assertEqual(crypto.getRandomValues(typed), typed, Type.name);
    }
    assertEqual(crypto.getRandomValues(new Uint8Array(65536)).length, 65536);
    assertEqual(crypto.getRandomValues(new Uint8Array(0)).length, 0);
  },
};

export const getRandomValuesRejectsOtherInput = {
  test() {
    const notIntegers = [
      new Float32Array(4), new Float64Array(4), new DataView(new ArrayBuffer(4)),
    ];
    for (const bad of notIntegers) {
      const error = assertThrows(() => crypto.getRandomValues(bad), DOMException);
      assertEqual(error.name, 'TypeMismatchError');
      assertEqual(error.code, 17);
    }
    const tooBig = assertThrows(() => crypto.getRandomValues(new Uint8Array(65537)), DOMException);
    assertEqual(tooBig.name, 'QuotaExceededError');
    assertEqual(tooBig.code, 22);
    assertThrows(() => crypto.getRandomValues(new Uint32Array(16385)), DOMException);
    assertThrows(() => crypto.getRandomValues([1, 2]), TypeError);
    assertThrows(() => crypto.getRandomValues(), TypeError);
  },
};

export const randomUUIDIsVersion4 = {
  test() {
    const seen = new Set();
    for (let i = 0; i < 50; i++) {
      const uuid = crypto.randomUUID();
      assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid),
        uuid);
      seen.add(uuid);
    }
    assertEqual(seen.size, 50);
  },
};

export const cryptoObject = {
  test() {
    assert(crypto instanceof Crypto);
    assertThrows(() => new Crypto(), TypeError);
    assertEqual(Object.prototype.toString.call(crypto), '[object Crypto]');
    // Detached use is common in libraries and must work.
    const { getRandomValues } = crypto;
    assertEqual(getRandomValues(new Uint8Array(2)).length, 2);
  },
};

export const performanceClock = {
  test() {
    assertEqual(typeof performance.now(), 'number');
    assert(performance.now() >= 0);
    assertEqual(typeof performance.timeOrigin, 'number');
    assert(Math.abs(performance.timeOrigin + performance.now() - Date.now()) < 1000,
      'timeOrigin + now() is the current time');
    const a = performance.now();
    const b = performance.now();
    assert(b >= a, 'now() never goes backwards');
    assertEqual(performance.toJSON().timeOrigin, performance.timeOrigin);
  },
};

export const navigatorAndSelf = {
  test() {
    assertEqual(navigator.userAgent, 'Cloudflare-Workers');  // as workerd
    assertEqual(navigator.hardwareConcurrency, 1);
    assertEqual(self, globalThis);
    assertEqual(typeof setImmediate, 'undefined');
    assertEqual(typeof reportError, 'function');
    assertThrows(() => reportError(), TypeError);
    reportError(new Error('reported on purpose by a test'));
  },
};

export const runtimeGlobalsAreNonEnumerable = {
  test() {
    const names = ['console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval',
      'queueMicrotask', 'structuredClone', 'crypto', 'performance', 'navigator', 'self',
      'reportError'];
    const enumerable = Object.keys(globalThis);
    for (const name of names) {
      const desc = Object.getOwnPropertyDescriptor(globalThis, name);
      assert(desc !== undefined, `${name} is missing`);
      assert(!enumerable.includes(name), `${name} must not be enumerable`);
      assertEqual(desc.writable, true, name);
    }
  },
};

export const consoleMethodsExist = {
  test() {
    for (const name of ['log', 'info', 'debug', 'warn', 'error', 'trace', 'assert', 'dir',
      'table', 'time', 'timeEnd', 'timeLog', 'count', 'countReset', 'group', 'groupEnd']) {
      assertEqual(typeof console[name], 'function', name);
    }
    // Methods work without `this`.
    const { log } = console;
    log('detached console.log works');
  },
};

export const consoleSurvivesHostileValues = {
  test() {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwingGetter = {
      get boom() {
        throw new Error('getter');
      },
    };
    const throwingToString = {
      toString() {
        throw new Error('toString');
      },
    };
    const trapAll = new Proxy({}, {
      get() {
        throw new Error('get trap');
      },
      ownKeys() {
        throw new Error('ownKeys trap');
      },
      getPrototypeOf() {
        throw new Error('getPrototypeOf trap');
      },
    });
    const badTag = {
      get [Symbol.toStringTag]() {
        throw new Error('tag');
      },
    };
    const circular = { name: 'loop' };
    circular.self = circular;
    circular.list = [circular, { back: circular }];
    const nullProto = Object.create(null);
    nullProto.x = 1;
    const errorWithBadStack = new Error('x');
    Object.defineProperty(errorWithBadStack, 'stack', {
      get() {
        throw new Error('stack');
      },
    });
    const values = [proxy, throwingGetter, throwingToString, trapAll, badTag, circular, nullProto,
      errorWithBadStack, new Array(1000).fill(7), 'x'.repeat(20000), Symbol('s'), 10n, -0,
      new Map([[circular, circular]]), new Set([proxy]), function named() {}, class Foo {},
      new Uint8Array(300), new ArrayBuffer(8), new WeakMap(), Promise.resolve(1), new Date(NaN),
      /re/g, Object(1), new DOMException('d', 'AbortError'), new URL('http://h/?a=1'),
      new URLSearchParams('a=1'), new (class Thing { constructor() { this.x = 1; } })()];
    for (const value of values) {
      console.log(value);
      console.log('%s %d %i %f %j %o %O %c', ...new Array(8).fill(value));
      console.error('prefix', value, value);
      console.dir(value, { depth: 0 });
      console.table(value);
    }
    console.table([{ a: 1, b: 'x' }, { a: 2, c: [1] }], ['a', 'c']);
    console.assert(false, 'assertion message %s', throwingToString);
    console.assert(true, 'not shown');
    console.trace('tracing', circular);
    console.count();
    console.count('c');
    console.countReset('c');
    console.countReset('never-counted');
    console.time('t');
    console.timeLog('t', 'extra', circular);
    console.timeEnd('t');
    console.timeEnd('t');
    console.group('group', 1);
    console.info('inside group\nwith two lines');
    console.groupEnd();
    console.groupEnd();
    reportError(trapAll);
    reportError(proxy);
  },
};
