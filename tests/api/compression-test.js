// Tests for compression.js: CompressionStream and DecompressionStream over natives.zlibCreate.

import { assert, assertEqual, assertDeepEqual, assertThrows, assertRejects } from 'assert.js';

// "hello world" as produced by zlib for each format.
const HELLO_GZIP = [31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 203, 72, 205, 201, 201, 87, 40, 207, 47, 202,
  73, 1, 0, 133, 17, 74, 13, 11, 0, 0, 0];
const HELLO_DEFLATE = [120, 156, 203, 72, 205, 201, 201, 87, 40, 207, 47, 202, 73, 1, 0, 26, 11, 4,
  93];
const HELLO_DEFLATE_RAW = [203, 72, 205, 201, 201, 87, 40, 207, 47, 202, 73, 1, 0];

async function collect(readable) {
  const chunks = [];
  let total = 0;
  for await (const chunk of readable) {
    assert(chunk instanceof Uint8Array, 'chunks are Uint8Arrays');
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

// Writes the chunks into a transform and returns all of its output.
async function run(transform, chunks) {
  const writer = transform.writable.getWriter();
  const output = collect(transform.readable);
  for (const chunk of chunks) writer.write(chunk).catch(() => {});
  writer.close().catch(() => {});
  return output;
}

function text(bytes) {
  return new TextDecoder().decode(bytes);
}

export const decompressesKnownVectors = {
  async test() {
    const cases = [['gzip', HELLO_GZIP], ['deflate', HELLO_DEFLATE],
      ['deflate-raw', HELLO_DEFLATE_RAW]];
    for (const [format, data] of cases) {
      const out = await run(new DecompressionStream(format), [new Uint8Array(data)]);
      assertEqual(text(out), 'hello world', format);
    }
  },
};

export const decompressesAcrossChunkBoundaries = {
  async test() {
    const chunks = HELLO_GZIP.map((byte) => new Uint8Array([byte]));
    assertEqual(text(await run(new DecompressionStream('gzip'), chunks)), 'hello world');
  },
};

export const roundTripsEveryFormat = {
  async test() {
    const input = new TextEncoder().encode('kiln '.repeat(5000));
    for (const format of ['gzip', 'deflate', 'deflate-raw']) {
      const compressed = await run(new CompressionStream(format),
        [input.subarray(0, 7), input.subarray(7, 10000), input.subarray(10000)]);
      assert(compressed.byteLength < input.byteLength / 10, `${format} output is compressed`);
      if (format === 'gzip') assertDeepEqual([...compressed.subarray(0, 2)], [0x1f, 0x8b]);
      if (format === 'deflate') assertEqual(compressed[0] & 0x0f, 8);
      const restored = await run(new DecompressionStream(format), [compressed]);
      assertEqual(restored.byteLength, input.byteLength, format);
      assertEqual(text(restored), text(input), format);
    }
  },
};

export const acceptsAnyBufferSource = {
  async test() {
    const data = new Uint8Array(HELLO_DEFLATE_RAW);
    const out = await run(new DecompressionStream('deflate-raw'),
      [data.buffer.slice(0, 4), new DataView(data.buffer, 4, 4), new Int8Array(data.buffer, 8)]);
    assertEqual(text(out), 'hello world');
  },
};

export const pipesThroughLikeAnyTransform = {
  async test() {
    const source = ReadableStream.from(['one ', 'two ', 'three']);
    const restored = source
      .pipeThrough(new TextEncoderStream())
      .pipeThrough(new CompressionStream('gzip'))
      .pipeThrough(new DecompressionStream('gzip'))
      .pipeThrough(new TextDecoderStream());
    let result = '';
    for await (const piece of restored) result += piece;
    assertEqual(result, 'one two three');
  },
};

export const rejectsUnknownFormats = {
  test() {
    assertThrows(() => new CompressionStream('brotli'), TypeError);
    assertThrows(() => new DecompressionStream('GZIP'), TypeError);
    assertThrows(() => new CompressionStream(), TypeError);
    const stream = new CompressionStream('deflate');
    assert(stream.readable instanceof ReadableStream, 'readable is a ReadableStream');
    assert(stream.writable instanceof WritableStream, 'writable is a WritableStream');
    assertEqual(Object.prototype.toString.call(stream), '[object CompressionStream]');
  },
};

export const nonBufferChunksErrorTheStream = {
  async test() {
    const stream = new CompressionStream('gzip');
    const writer = stream.writable.getWriter();
    const read = stream.readable.getReader().read();
    await assertRejects(writer.write('a string'), TypeError);
    await assertRejects(read, TypeError);
  },
};

export const corruptInputErrorsWithTypeError = {
  async test() {
    const garbage = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await assertRejects(run(new DecompressionStream('gzip'), [garbage]), TypeError);
    // A stream cut short is as corrupt as garbage.
    const truncated = new Uint8Array(HELLO_GZIP.slice(0, 15));
    await assertRejects(run(new DecompressionStream('gzip'), [truncated]), TypeError);
  },
};

// workerd's CompressionStream (checked side by side) takes writes before anyone reads: writing
// and closing first, then reading, must not wait for ever.
export const writesSettleBeforeAnyRead = {
  async test() {
    const cs = new CompressionStream("gzip");
    const writer = cs.writable.getWriter();
    await writer.write(new TextEncoder().encode("hello hello hello"));
    await writer.close();
    const packed = await new Response(cs.readable).arrayBuffer();
    const ds = new DecompressionStream("gzip");
    const w2 = ds.writable.getWriter();
    await w2.write(new Uint8Array(packed));
    await w2.close();
    assertEqual(await new Response(ds.readable).text(), "hello hello hello");
  },
};
