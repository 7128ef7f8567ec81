// Tests for streams.js and streams-writable.js: ReadableStream (default and byte streams, readers,
// tee, async iteration, from), WritableStream, TransformStream, pipes, queuing strategies, and
// TextEncoderStream/TextDecoderStream.

import {
  assert, assertEqual, assertDeepEqual, assertThrows, assertRejects,
} from 'assert.js';

// Lets pending promise reactions (pulls, pipes) run.
async function flush(times = 20) {
  for (let i = 0; i < times; i++) await Promise.resolve();
}

async function readAll(stream) {
  const reader = stream.getReader();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

function bytes(...values) {
  return new Uint8Array(values);
}

export const readerReadsQueuedChunksThenDone = {
  async test() {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue('a');
        controller.enqueue('b');
        controller.close();
      },
    });
    const reader = stream.getReader();
    assertEqual(stream.locked, true);
    assertDeepEqual(await reader.read(), { value: 'a', done: false });
    assertDeepEqual(await reader.read(), { value: 'b', done: false });
    assertDeepEqual(await reader.read(), { value: undefined, done: true });
    assertEqual(await reader.closed, undefined);
    assertEqual(Object.prototype.toString.call(stream), '[object ReadableStream]');
  },
};

export const pullRespectsHighWaterMark = {
  async test() {
    let pulls = 0;
    const stream = new ReadableStream({
      pull(controller) {
        pulls++;
        controller.enqueue(pulls);
      },
    }, { highWaterMark: 3 });
    await flush();
    // Filled up to the high-water mark and no further while nobody reads.
    assertEqual(pulls, 3);
    const reader = stream.getReader();
    assertEqual((await reader.read()).value, 1);
    await flush();
    assertEqual(pulls, 4);
  },
};

export const sizeStrategyAndDesiredSize = {
  async test() {
    let controller;
    new ReadableStream({
      start(c) {
        controller = c;
      },
    }, { highWaterMark: 10, size: (chunk) => chunk.length });
    assertEqual(controller.desiredSize, 10);
    controller.enqueue('abcd');
    assertEqual(controller.desiredSize, 6);
    controller.enqueue('abcdefgh');
    assertEqual(controller.desiredSize, -2);
    assertThrows(() => new ReadableStream({}, { highWaterMark: -1 }), RangeError);
    assertThrows(() => new ReadableStream({}, { highWaterMark: NaN }), RangeError);
    assertThrows(() => new ReadableStream({}, { size: 5 }), TypeError);
    assertThrows(() => new ReadableStream({ type: 'nope' }), TypeError);
    assertThrows(() => new ReadableStream({ start: 1 }), TypeError);
  },
};

export const invalidChunkSizeErrorsStream = {
  async test() {
    let controller;
    const stream = new ReadableStream({
      start(c) {
        controller = c;
      },
    }, { size: () => NaN });
    assertThrows(() => controller.enqueue('x'), RangeError);
    await assertRejects(stream.getReader().read(), RangeError);
  },
};

export const controllerErrorRejectsReads = {
  async test() {
    const boom = new Error('boom');
    let controller;
    const stream = new ReadableStream({
      start(c) {
        controller = c;
      },
    });
    const reader = stream.getReader();
    const pending = reader.read();
    controller.error(boom);
    assertEqual(await pending.catch((e) => e), boom);
    assertEqual(await reader.closed.catch((e) => e), boom);
    assertEqual(controller.desiredSize, null);
    assertThrows(() => controller.enqueue('x'), TypeError);
  },
};

export const startAndPullFailuresErrorTheStream = {
  async test() {
    const startError = new Error('start');
    const s1 = new ReadableStream({ start: () => Promise.reject(startError) });
    assertEqual(await s1.getReader().read().catch((e) => e), startError);
    const pullError = new Error('pull');
    const s2 = new ReadableStream({
      pull() {
        throw pullError;
      },
    });
    assertEqual(await s2.getReader().read().catch((e) => e), pullError);
    assertThrows(() => new ReadableStream({
      start() {
        throw new SyntaxError('sync');
      },
    }), SyntaxError);
  },
};

export const cancelCallsSourceAndEndsReads = {
  async test() {
    let cancelReason;
    const stream = new ReadableStream({
      start(c) {
        c.enqueue('queued');
      },
      cancel(reason) {
        cancelReason = reason;
      },
    });
    const reader = stream.getReader();
    await reader.cancel('bye');
    assertEqual(cancelReason, 'bye');
    assertDeepEqual(await reader.read(), { value: undefined, done: true });
    await assertRejects(stream.cancel(), TypeError, 'locked');
  },
};

export const lockingAndReleaseLock = {
  async test() {
    const stream = new ReadableStream();
    const reader = stream.getReader();
    assertThrows(() => stream.getReader(), TypeError, 'locked');
    const pending = reader.read();
    reader.releaseLock();
    await assertRejects(pending, TypeError);
    await assertRejects(reader.closed, TypeError);
    await assertRejects(reader.read(), TypeError);
    assertEqual(stream.locked, false);
    // The stream is usable again through a new reader.
    stream.getReader().releaseLock();
    assertThrows(() => stream.getReader({ mode: 'byob' }), TypeError);
    assertThrows(() => stream.getReader({ mode: 'other' }), TypeError);
  },
};

export const teeGivesEveryChunkToBothBranches = {
  async test() {
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(1);
        c.enqueue(2);
        c.enqueue(3);
        c.close();
      },
    });
    const [a, b] = stream.tee();
    assertEqual(stream.locked, true);
    const [left, right] = await Promise.all([readAll(a), readAll(b)]);
    assertDeepEqual(left, [1, 2, 3]);
    assertDeepEqual(right, [1, 2, 3]);
  },
};

export const teeCancelsSourceOnlyWhenBothBranchesCancel = {
  async test() {
    let reason = null;
    const stream = new ReadableStream({
      cancel(r) {
        reason = r;
      },
    });
    const [a, b] = stream.tee();
    await flush();
    const first = a.cancel('one');
    await flush();
    assertEqual(reason, null);
    await b.cancel('two');
    await first;
    assertDeepEqual(reason, ['one', 'two']);
  },
};

export const teeOfByteStreamDoesNotShareBuffers = {
  async test() {
    const stream = new ReadableStream({
      type: 'bytes',
      start(c) {
        c.enqueue(bytes(1, 2, 3));
        c.close();
      },
    });
    const [a, b] = stream.tee();
    const [chunkA] = await readAll(a);
    chunkA[0] = 99;
    const [chunkB] = await readAll(b);
    assertDeepEqual([...chunkB], [1, 2, 3]);
  },
};

export const teePropagatesErrors = {
  async test() {
    const boom = new Error('boom');
    const stream = new ReadableStream({
      pull(c) {
        c.error(boom);
      },
    });
    const [a, b] = stream.tee();
    assertEqual(await a.getReader().read().catch((e) => e), boom);
    assertEqual(await b.getReader().closed.catch((e) => e), boom);
  },
};

export const asyncIterationAndEarlyExitCancels = {
  async test() {
    let cancelled = false;
    let n = 0;
    const stream = new ReadableStream({
      pull(c) {
        c.enqueue(++n);
      },
      cancel() {
        cancelled = true;
      },
    });
    const seen = [];
    for await (const value of stream) {
      seen.push(value);
      if (value === 3) break;
    }
    assertDeepEqual(seen, [1, 2, 3]);
    assertEqual(cancelled, true);
    assertEqual(stream.locked, false);
  },
};

export const valuesWithPreventCancel = {
  async test() {
    let cancelled = false;
    const stream = new ReadableStream({
      start(c) {
        c.enqueue('a');
        c.enqueue('b');
        c.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const value of stream.values({ preventCancel: true })) {
      assertEqual(value, 'a');
      break;
    }
    assertEqual(cancelled, false);
    assertDeepEqual(await readAll(stream), ['b']);
  },
};

export const asyncIteratorNextCallsQueueUp = {
  async test() {
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(1);
        c.enqueue(2);
        c.close();
      },
    });
    const it = stream[Symbol.asyncIterator]();
    const results = await Promise.all([it.next(), it.next(), it.next(), it.next()]);
    assertDeepEqual(results.map((r) => r.value), [1, 2, undefined, undefined]);
    assertDeepEqual(results.map((r) => r.done), [false, false, true, true]);
  },
};

export const fromAsyncIterableAndIterable = {
  async test() {
    async function* gen() {
      yield 'x';
      yield 'y';
    }
    assertDeepEqual(await readAll(ReadableStream.from(gen())), ['x', 'y']);
    assertDeepEqual(await readAll(ReadableStream.from([1, Promise.resolve(2), 3])), [1, 2, 3]);
    assertThrows(() => ReadableStream.from(42), TypeError);
    assertThrows(() => ReadableStream.from({}), TypeError);
    // Cancelling the stream returns the iterator, running its finally blocks.
    let finalized = false;
    async function* endless() {
      try {
        for (;;) yield 0;
      } finally {
        finalized = true;
      }
    }
    const reader = ReadableStream.from(endless()).getReader();
    await reader.read();
    await reader.cancel();
    assertEqual(finalized, true);
  },
};

export const byteStreamDefaultReaderGetsUint8Arrays = {
  async test() {
    const stream = new ReadableStream({
      type: 'bytes',
      start(c) {
        c.enqueue(new Uint16Array([0x0201]));
        c.close();
      },
    });
    const [chunk] = await readAll(stream);
    assert(chunk instanceof Uint8Array, 'chunk is a Uint8Array');
    assertEqual(chunk.byteLength, 2);
  },
};

export const byteControllerRejectsBadChunks = {
  test() {
    let controller;
    new ReadableStream({
      type: 'bytes',
      start(c) {
        controller = c;
      },
    });
    assertEqual(controller.byobRequest, null);
    assertThrows(() => controller.enqueue('text'), TypeError);
    assertThrows(() => controller.enqueue(new ArrayBuffer(4)), TypeError);
    assertThrows(() => controller.enqueue(new Uint8Array(0)), TypeError);
    assertThrows(() => new ReadableStream({ type: 'bytes' }, { size: () => 1 }), RangeError);
  },
};

export const byobReaderFillsViewsAcrossChunks = {
  async test() {
    const stream = new ReadableStream({
      type: 'bytes',
      start(c) {
        c.enqueue(bytes(1, 2, 3));
        c.enqueue(bytes(4, 5));
        c.close();
      },
    });
    const reader = stream.getReader({ mode: 'byob' });
    let result = await reader.read(new Uint8Array(4));
    assertEqual(result.done, false);
    assertDeepEqual([...result.value], [1, 2, 3, 4]);
    result = await reader.read(new Uint8Array(4));
    assertDeepEqual([...result.value], [5]);
    result = await reader.read(new Uint8Array(4));
    assertEqual(result.done, true);
    assertEqual(result.value.byteLength, 0);
    await assertRejects(reader.read(new Uint8Array(0)), TypeError);
    await assertRejects(reader.read('nope'), TypeError);
  },
};

export const byobReaderWaitsForWholeElements = {
  async test() {
    let controller;
    const stream = new ReadableStream({
      type: 'bytes',
      start(c) {
        controller = c;
      },
    });
    const reader = stream.getReader({ mode: 'byob' });
    const pending = reader.read(new Uint16Array(2));
    controller.enqueue(bytes(0x01));
    await flush();
    controller.enqueue(bytes(0x02, 0x03));
    const { value } = await pending;
    assert(value instanceof Uint16Array, 'result keeps the view type');
    // Only one whole element was available; the odd byte stays queued.
    assertEqual(value.length, 1);
    assertEqual(new Uint8Array(value.buffer, value.byteOffset, 2)[1], 0x02);
    const rest = await reader.read(new Uint8Array(8));
    assertDeepEqual([...rest.value], [0x03]);
  },
};

export const writableStreamWritesInOrderAndCloses = {
  async test() {
    const written = [];
    let closed = false;
    const stream = new WritableStream({
      async write(chunk) {
        await flush(2);
        written.push(chunk);
      },
      close() {
        closed = true;
      },
    });
    const writer = stream.getWriter();
    assertEqual(stream.locked, true);
    writer.write('a');
    writer.write('b');
    await writer.write('c');
    await writer.close();
    assertDeepEqual(written, ['a', 'b', 'c']);
    assertEqual(closed, true);
    assertEqual(await writer.closed, undefined);
    await assertRejects(writer.write('d'), TypeError);
  },
};

export const writableBackpressure = {
  async test() {
    let release;
    const stream = new WritableStream({
      write() {
        return new Promise((resolve) => {
          release = resolve;
        });
      },
    }, new CountQueuingStrategy({ highWaterMark: 2 }));
    const writer = stream.getWriter();
    assertEqual(writer.desiredSize, 2);
    writer.write(1);
    writer.write(2);
    assertEqual(writer.desiredSize, 0);
    let ready = false;
    writer.ready.then(() => {
      ready = true;
    });
    await flush();
    assertEqual(ready, false);
    release();
    await flush();
    assertEqual(ready, true);
    assertEqual(writer.desiredSize, 1);
  },
};

export const writableAbortAndSignal = {
  async test() {
    let abortReason;
    let signal;
    const stream = new WritableStream({
      start(controller) {
        signal = controller.signal;
      },
      abort(reason) {
        abortReason = reason;
      },
    });
    const writer = stream.getWriter();
    await writer.abort('stop');
    assertEqual(abortReason, 'stop');
    assertEqual(signal.aborted, true);
    assertEqual(signal.reason, 'stop');
    assertEqual(await writer.closed.catch((e) => e), 'stop');
    await assertRejects(writer.write('x'));
  },
};

export const writableSinkErrorErrorsStream = {
  async test() {
    const boom = new Error('boom');
    const stream = new WritableStream({
      write() {
        throw boom;
      },
    });
    const writer = stream.getWriter();
    assertEqual(await writer.write('x').catch((e) => e), boom);
    assertEqual(await writer.closed.catch((e) => e), boom);
    assertEqual(writer.desiredSize, null);
    writer.releaseLock();
    await assertRejects(writer.closed, TypeError);
    assertThrows(() => new WritableStream({ type: 'bytes' }), RangeError);
  },
};

export const transformStreamTransformsAndFlushes = {
  async test() {
    const ts = new TransformStream({
      transform(chunk, controller) {
        controller.enqueue(chunk.toUpperCase());
      },
      flush(controller) {
        controller.enqueue('END');
      },
    });
    const writer = ts.writable.getWriter();
    writer.write('a');
    writer.write('b');
    writer.close();
    assertDeepEqual(await readAll(ts.readable), ['A', 'B', 'END']);
  },
};

export const identityTransformAndBackpressure = {
  async test() {
    const ts = new TransformStream();
    const writer = ts.writable.getWriter();
    // The readable side buffers nothing (highWaterMark 0), so the first write waits for a read.
    let written = false;
    writer.write('x').then(() => {
      written = true;
    });
    await flush();
    assertEqual(written, false);
    const reader = ts.readable.getReader();
    assertDeepEqual(await reader.read(), { value: 'x', done: false });
    await flush();
    assertEqual(written, true);
  },
};

export const transformErrorsAndTerminate = {
  async test() {
    const boom = new Error('boom');
    const failing = new TransformStream({
      transform() {
        throw boom;
      },
    });
    const writer = failing.writable.getWriter();
    // Writes wait for the readable side to want data (backpressure), so read first.
    const read = failing.readable.getReader().read();
    assertEqual(await writer.write('x').catch((e) => e), boom);
    assertEqual(await read.catch((e) => e), boom);

    const terminating = new TransformStream({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        controller.terminate();
      },
    });
    const w = terminating.writable.getWriter();
    const r = terminating.readable.getReader();
    w.write('only');
    assertDeepEqual(await r.read(), { value: 'only', done: false });
    assertDeepEqual(await r.read(), { value: undefined, done: true });
    await assertRejects(w.write('more'), TypeError);
  },
};

export const pipeToCopiesAndCloses = {
  async test() {
    const written = [];
    let closed = false;
    const source = ReadableStream.from(['a', 'b', 'c']);
    const dest = new WritableStream({
      write(chunk) {
        written.push(chunk);
      },
      close() {
        closed = true;
      },
    });
    await source.pipeTo(dest);
    assertDeepEqual(written, ['a', 'b', 'c']);
    assertEqual(closed, true);
    assertEqual(source.locked, false);
    assertEqual(dest.locked, false);
  },
};

export const pipeToPreventClose = {
  async test() {
    let closed = false;
    const dest = new WritableStream({
      close() {
        closed = true;
      },
    });
    await ReadableStream.from([1]).pipeTo(dest, { preventClose: true });
    assertEqual(closed, false);
    // Still writable afterwards.
    await dest.getWriter().write(2);
  },
};

export const pipeToPropagatesErrorsBothWays = {
  async test() {
    const boom = new Error('source failed');
    let abortReason;
    const failingSource = new ReadableStream({
      pull(c) {
        c.error(boom);
      },
    });
    const dest = new WritableStream({
      abort(reason) {
        abortReason = reason;
      },
    });
    assertEqual(await failingSource.pipeTo(dest).catch((e) => e), boom);
    assertEqual(abortReason, boom);

    const sinkError = new Error('sink failed');
    let cancelReason;
    const source = new ReadableStream({
      pull(c) {
        c.enqueue('x');
      },
      cancel(reason) {
        cancelReason = reason;
      },
    });
    const failingDest = new WritableStream({
      write() {
        throw sinkError;
      },
    });
    assertEqual(await source.pipeTo(failingDest).catch((e) => e), sinkError);
    assertEqual(cancelReason, sinkError);
  },
};

export const pipeToAbortSignal = {
  async test() {
    let cancelReason;
    let abortReason;
    const source = new ReadableStream({
      cancel(reason) {
        cancelReason = reason;
      },
    });
    const dest = new WritableStream({
      abort(reason) {
        abortReason = reason;
      },
    });
    const controller = new AbortController();
    const piping = source.pipeTo(dest, { signal: controller.signal });
    await flush();
    controller.abort();
    const error = await piping.catch((e) => e);
    assert(error instanceof DOMException, 'rejects with a DOMException');
    assertEqual(error.name, 'AbortError');
    assertEqual(cancelReason, error);
    assertEqual(abortReason, error);
    await assertRejects(ReadableStream.from([]).pipeTo(new WritableStream(), { signal: 'x' }),
      TypeError);
    await assertRejects(ReadableStream.from([]).pipeTo({}), TypeError);
  },
};

export const pipeThroughChains = {
  async test() {
    const double = () => new TransformStream({
      transform(chunk, controller) {
        controller.enqueue(chunk * 2);
      },
    });
    const result = ReadableStream.from([1, 2, 3]).pipeThrough(double()).pipeThrough(double());
    assertDeepEqual(await readAll(result), [4, 8, 12]);
    assertThrows(() => ReadableStream.from([]).pipeThrough({}), TypeError);
  },
};

export const queuingStrategies = {
  test() {
    const bytesStrategy = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
    assertEqual(bytesStrategy.highWaterMark, 16);
    assertEqual(bytesStrategy.size(new Uint8Array(5)), 5);
    const count = new CountQueuingStrategy({ highWaterMark: 2 });
    assertEqual(count.size('anything'), 1);
    assertEqual(count.size, new CountQueuingStrategy({ highWaterMark: 9 }).size);
    assertThrows(() => new CountQueuingStrategy(), TypeError);
    assertThrows(() => new ByteLengthQueuingStrategy({}), TypeError);
  },
};

export const internalClassesAreNotConstructible = {
  test() {
    assertThrows(() => new ReadableStreamDefaultController(), TypeError);
    assertThrows(() => new ReadableByteStreamController(), TypeError);
    assertThrows(() => new WritableStreamDefaultController(), TypeError);
    assertThrows(() => new TransformStreamDefaultController(), TypeError);
    assertThrows(() => new ReadableStreamDefaultReader({}), TypeError);
    assertThrows(() => new WritableStreamDefaultWriter({}), TypeError);
  },
};

export const textEncoderStreamJoinsSurrogatePairs = {
  async test() {
    const ts = new TextEncoderStream();
    assertEqual(ts.encoding, 'utf-8');
    const writer = ts.writable.getWriter();
    // U+1F600 split across two writes must still encode as one 4-byte sequence.
    writer.write('a\ud83d');
    writer.write('\ude00');
    writer.write('\ud83d');
    writer.close();
    const chunks = await readAll(ts.readable);
    const all = chunks.flatMap((c) => [...c]);
    assertDeepEqual(all, [0x61, 0xf0, 0x9f, 0x98, 0x80, 0xef, 0xbf, 0xbd]);
  },
};

export const textDecoderStreamHandlesSplitSequences = {
  async test() {
    const ts = new TextDecoderStream();
    assertEqual(ts.encoding, 'utf-8');
    assertEqual(ts.fatal, false);
    const writer = ts.writable.getWriter();
    // "é€" with both characters split across chunks.
    writer.write(bytes(0xc3));
    writer.write(bytes(0xa9, 0xe2, 0x82));
    writer.write(bytes(0xac).buffer);
    writer.close();
    assertEqual((await readAll(ts.readable)).join(''), 'é€');

    const strict = new TextDecoderStream('utf-8', { fatal: true });
    const w = strict.writable.getWriter();
    w.write(bytes(0xff)).catch(() => {});
    await assertRejects(strict.readable.getReader().read(), TypeError);

    const picky = new TextDecoderStream();
    picky.writable.getWriter().write('not bytes').catch(() => {});
    await assertRejects(picky.readable.getReader().read(), TypeError);
  },
};
