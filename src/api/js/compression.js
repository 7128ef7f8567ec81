// TextEncoderStream, TextDecoderStream, CompressionStream and DecompressionStream: transform
// streams over the encoding natives and zlib. Evaluated after streams-writable.js.

const { TransformStream, TextDecoder, finishClass, dictionary } = internal;
const { toBytes } = internal.streams;

// Each class exposes the readable/writable pair of a private TransformStream, as the specs'
// GenericTransformStream mixin does.
class EncodingStreamBase {
  #transform;
  constructor(transform) {
    this.#transform = transform;
  }
  get readable() {
    return this.#transform.readable;
  }
  get writable() {
    return this.#transform.writable;
  }
}

const kReplacementBytes = [0xef, 0xbf, 0xbd];

class TextEncoderStream extends EncodingStreamBase {
  constructor() {
    // A chunk ending in a high surrogate waits for the next chunk, which may start with the low
    // half of the pair; encoding it alone would produce U+FFFD.
    let pending = '';
    super(new TransformStream({
      transform(chunk, controller) {
        let s = pending + `${chunk}`;
        pending = '';
        const last = s.charCodeAt(s.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = s[s.length - 1];
          s = s.slice(0, -1);
        }
        if (s.length > 0) controller.enqueue(natives.utf8Encode(s));
      },
      flush(controller) {
        if (pending !== '') controller.enqueue(new Uint8Array(kReplacementBytes));
      },
    }));
  }
  get encoding() {
    return 'utf-8';
  }
}

function bufferSourceChunk(chunk, what) {
  const bytes = toBytes(chunk);
  if (bytes === null) {
    throw new TypeError(`${what}: chunks must be an ArrayBuffer or an ArrayBufferView.`);
  }
  return bytes;
}

class TextDecoderStream extends EncodingStreamBase {
  #decoder;
  constructor(label = 'utf-8', options = undefined) {
    const decoder = new TextDecoder(label, dictionary(options, 'TextDecoderStream'));
    super(new TransformStream({
      transform(chunk, controller) {
        const s = decoder.decode(bufferSourceChunk(chunk, 'TextDecoderStream'), { stream: true });
        if (s.length > 0) controller.enqueue(s);
      },
      flush(controller) {
        const s = decoder.decode();
        if (s.length > 0) controller.enqueue(s);
      },
    }));
    this.#decoder = decoder;
  }
  get encoding() {
    return this.#decoder.encoding;
  }
  get fatal() {
    return this.#decoder.fatal;
  }
  get ignoreBOM() {
    return this.#decoder.ignoreBOM;
  }
}

const kFormats = ['gzip', 'deflate', 'deflate-raw'];

function zlibTransform(format, decompress, what) {
  format = `${format}`;
  if (!kFormats.includes(format)) {
    throw new TypeError(`${what}: unsupported compression format '${format}'; expected "gzip", ` +
      '"deflate" or "deflate-raw".');
  }
  const handle = natives.zlibCreate(format, decompress);
  const enqueueAll = (controller, outputs) => {
    for (let i = 0; i < outputs.length; i++) {
      if (outputs[i].byteLength > 0) controller.enqueue(outputs[i]);
    }
  };
  return new TransformStream({
    transform(chunk, controller) {
      const bytes = bufferSourceChunk(chunk, what);
      if (bytes.byteLength > 0) enqueueAll(controller, handle.write(bytes));
    },
    flush(controller) {
      enqueueAll(controller, handle.finish());
    },
    // No backpressure from the readable side, as in workerd: `await writer.write()` and
    // `close()` settle before anyone reads (the output waits in the queue, within the worker's
    // memory limit). With a spec TransformStream's default they would wait for a reader.
  }, undefined, { highWaterMark: Infinity });
}

class CompressionStream extends EncodingStreamBase {
  constructor(format) {
    if (arguments.length === 0) throw new TypeError('CompressionStream: a format is required.');
    super(zlibTransform(format, false, 'CompressionStream'));
  }
}

class DecompressionStream extends EncodingStreamBase {
  constructor(format) {
    if (arguments.length === 0) throw new TypeError('DecompressionStream: a format is required.');
    super(zlibTransform(format, true, 'DecompressionStream'));
  }
}

finishClass(EncodingStreamBase, 'GenericTransformStream');
finishClass(TextEncoderStream);
finishClass(TextDecoderStream);
finishClass(CompressionStream);
finishClass(DecompressionStream);

internal.defineGlobal('TextEncoderStream', TextEncoderStream);
internal.defineGlobal('TextDecoderStream', TextDecoderStream);
internal.defineGlobal('CompressionStream', CompressionStream);
internal.defineGlobal('DecompressionStream', DecompressionStream);
