// Tests for encoding.js: TextEncoder, TextDecoder, atob and btoa.

import { assert, assertEqual, assertDeepEqual, assertThrows } from 'assert.js';

const bytes = (...values) => new Uint8Array(values);
const list = (u8) => Array.from(u8);

export const encoderBasics = {
  test() {
    const encoder = new TextEncoder();
    assertEqual(encoder.encoding, 'utf-8');
    const out = encoder.encode('aé€😀');
    assert(out instanceof Uint8Array, 'encode must return a Uint8Array');
    assertDeepEqual(list(out),
      [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
    assertEqual(encoder.encode().length, 0);
    assertEqual(encoder.encode(undefined).length, 0);
    assertDeepEqual(list(encoder.encode(null)), [0x6e, 0x75, 0x6c, 0x6c]);
    // Lone surrogates are replaced by U+FFFD.
    assertDeepEqual(list(encoder.encode('\ud800')), [0xef, 0xbf, 0xbd]);
  },
};

export const encodeIntoReportsProgress = {
  test() {
    const encoder = new TextEncoder();
    const target = new Uint8Array(5);
    const result = encoder.encodeInto('a€b', target);
    assertDeepEqual(result, { read: 3, written: 5 });
    assertDeepEqual(list(target), [0x61, 0xe2, 0x82, 0xac, 0x62]);
    // A character that does not fit whole is not split.
    const small = new Uint8Array(3);
    assertDeepEqual(encoder.encodeInto('a😀', small), { read: 1, written: 1 });
    // read counts UTF-16 code units: the emoji is two.
    assertDeepEqual(encoder.encodeInto('😀', new Uint8Array(4)), { read: 2, written: 4 });
    const offset = new Uint8Array(new ArrayBuffer(8), 4, 2);
    assertDeepEqual(encoder.encodeInto('xyz', offset), { read: 2, written: 2 });
    assertThrows(() => encoder.encodeInto('x', new Uint16Array(2)), TypeError);
    assertThrows(() => encoder.encodeInto('x', [0, 0]), TypeError);
  },
};

export const decoderLabels = {
  test() {
    for (const label of ['utf-8', 'UTF-8', 'utf8', ' unicode-1-1-utf-8 ', 'unicode11utf8',
      'unicode20utf8', 'x-unicode20utf8', '\tUtF8\n']) {
      assertEqual(new TextDecoder(label).encoding, 'utf-8', label);
    }
    assertEqual(new TextDecoder().encoding, 'utf-8');
    assertThrows(() => new TextDecoder('xyz'), RangeError, 'The "xyz" encoding is not supported');
    assertThrows(() => new TextDecoder('latin1'), RangeError,
      'The "latin1" encoding is not supported');
    assertThrows(() => new TextDecoder('utf-16le'), RangeError);
  },
};

export const decoderOptions = {
  test() {
    const plain = new TextDecoder();
    assertEqual(plain.fatal, false);
    assertEqual(plain.ignoreBOM, false);
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    assertEqual(strict.fatal, true);
    assertEqual(strict.ignoreBOM, true);
  },
};

export const decodeAcceptsBufferSources = {
  test() {
    const decoder = new TextDecoder();
    const data = bytes(0x68, 0x69, 0x21);
    assertEqual(decoder.decode(data), 'hi!');
    assertEqual(decoder.decode(data.buffer), 'hi!');
    assertEqual(decoder.decode(new DataView(data.buffer, 1, 2)), 'i!');
    assertEqual(decoder.decode(new Uint8Array(data.buffer, 1)), 'i!');
    // Other views are read as their underlying bytes.
    const wide = new Uint16Array([0x6968]);
    assertEqual(decoder.decode(wide), 'hi');
    assertEqual(decoder.decode(), '');
    assertEqual(decoder.decode(new ArrayBuffer(0)), '');
    if (typeof SharedArrayBuffer === 'function') {
      const shared = new SharedArrayBuffer(2);
      new Uint8Array(shared).set([0x6f, 0x6b]);
      assertEqual(decoder.decode(shared), 'ok');
      assertEqual(decoder.decode(new Uint8Array(shared)), 'ok');
    }
    assertThrows(() => decoder.decode('text'), TypeError);
    assertThrows(() => decoder.decode([1, 2]), TypeError);
  },
};

export const decodeReplacesInvalidBytes = {
  test() {
    const decoder = new TextDecoder();
    assertEqual(decoder.decode(bytes(0x61, 0xff, 0x62)), 'a\ufffdb');
    assertEqual(decoder.decode(bytes(0xc3)), '\ufffd');
    // Surrogate code points encoded in UTF-8 are invalid.
    assertEqual(decoder.decode(bytes(0xed, 0xa0, 0x80)), '\ufffd\ufffd\ufffd');
  },
};

export const fatalDecoderThrows = {
  test() {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    assertThrows(() => decoder.decode(bytes(0x61, 0xff)), TypeError);
    // A truncated sequence at the end of a non-streaming call is an error too.
    assertThrows(() => decoder.decode(bytes(0xe2, 0x82)), TypeError);
    // The decoder is usable again afterwards.
    assertEqual(decoder.decode(bytes(0x6f, 0x6b)), 'ok');
  },
};

export const byteOrderMark = {
  test() {
    const bom = [0xef, 0xbb, 0xbf];
    assertEqual(new TextDecoder().decode(bytes(...bom, 0x41)), 'A');
    assertEqual(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes(...bom, 0x41)),
      '\ufeffA');
    // Only a leading BOM is removed.
    assertEqual(new TextDecoder().decode(bytes(0x41, ...bom)), 'A\ufeff');
    assertEqual(new TextDecoder().decode(bytes(...bom, ...bom)), '\ufeff');
    // Each non-streaming call is a new stream with its own BOM.
    const decoder = new TextDecoder();
    assertEqual(decoder.decode(bytes(...bom, 0x41)), 'A');
    assertEqual(decoder.decode(bytes(...bom, 0x42)), 'B');
  },
};

export const bomSplitAcrossChunks = {
  test() {
    const decoder = new TextDecoder();
    assertEqual(decoder.decode(bytes(0xef), { stream: true }), '');
    assertEqual(decoder.decode(bytes(0xbb), { stream: true }), '');
    assertEqual(decoder.decode(bytes(0xbf, 0x41), { stream: true }), 'A');
    // A BOM later in the same stream is content.
    assertEqual(decoder.decode(bytes(0xef, 0xbb, 0xbf), { stream: true }), '\ufeff');
    assertEqual(decoder.decode(), '');
  },
};

export const streamingKeepsIncompleteSequences = {
  test() {
    const decoder = new TextDecoder();
    const emoji = [0xf0, 0x9f, 0x98, 0x80];
    let out = '';
    for (const b of emoji) out += decoder.decode(bytes(b), { stream: true });
    out += decoder.decode();
    assertEqual(out, '😀');
    assertEqual(decoder.decode(bytes(0x61, 0xe2, 0x82), { stream: true }), 'a');
    assertEqual(decoder.decode(bytes(0xac, 0x62), { stream: true }), '€b');
    // A sequence still incomplete when the stream ends becomes U+FFFD.
    assertEqual(decoder.decode(bytes(0xe2, 0x82), { stream: true }), '');
    assertEqual(decoder.decode(), '\ufffd');
    // And the decoder starts afresh after that.
    assertEqual(decoder.decode(bytes(0x7a)), 'z');
  },
};

export const streamingDoesNotHoldInvalidPrefixes = {
  test() {
    const decoder = new TextDecoder();
    // E0 80 can never become valid, so it is replaced at once rather than held back.
    assertEqual(decoder.decode(bytes(0x61, 0xe0, 0x80), { stream: true }), 'a\ufffd\ufffd');
    assertEqual(decoder.decode(bytes(0x62)), 'b');
  },
};

export const streamingFatalError = {
  test() {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    assertEqual(decoder.decode(bytes(0xf0, 0x9f), { stream: true }), '');
    assertThrows(() => decoder.decode(), TypeError);
    assertEqual(decoder.decode(bytes(0x6f, 0x6b)), 'ok');
  },
};

export const streamingCopiesHeldBytes = {
  test() {
    const decoder = new TextDecoder();
    const chunk = bytes(0x61, 0xc3);
    assertEqual(decoder.decode(chunk, { stream: true }), 'a');
    // Reusing the caller's buffer must not change bytes the decoder held on to.
    chunk[1] = 0x00;
    assertEqual(decoder.decode(bytes(0xa9)), 'é');
  },
};

export const btoaEncodes = {
  test() {
    assertEqual(btoa(''), '');
    assertEqual(btoa('f'), 'Zg==');
    assertEqual(btoa('fo'), 'Zm8=');
    assertEqual(btoa('foo'), 'Zm9v');
    assertEqual(btoa('foobar'), 'Zm9vYmFy');
    assertEqual(btoa('\x00\xff\xfe'), 'AP/+');
    assertEqual(btoa(12), 'MTI=');
    const error = assertThrows(() => btoa('€'), DOMException);
    assertEqual(error.name, 'InvalidCharacterError');
    assertEqual(error.code, 5);
    assertThrows(() => btoa(), TypeError);
  },
};

export const atobDecodes = {
  test() {
    assertEqual(atob('Zm9vYmFy'), 'foobar');
    assertEqual(atob('Zg=='), 'f');
    // Padding is optional and ASCII whitespace is ignored (forgiving-base64).
    assertEqual(atob('Zg'), 'f');
    assertEqual(atob('Zm8'), 'fo');
    assertEqual(atob(' Zm 9v\n\tYm\fFy\r'), 'foobar');
    assertEqual(atob('AP/+'), '\x00\xff\xfe');
    // Bits past the last whole byte need not be zero.
    assertEqual(atob('Zh=='), 'f');
    assertEqual(atob(''), '');
    assertThrows(() => atob(), TypeError);
  },
};

export const atobRejectsBadInput = {
  test() {
    for (const input of ['Z', 'Zg=', 'Zg===', 'Zm9v=', '=Zm9', 'Zm=9', 'Zm9v*', 'Zm\u00e99',
      'Zm9vY', 'Zm-_']) {
      const error = assertThrows(() => atob(input), DOMException, undefined, input);
      assertEqual(error.name, 'InvalidCharacterError', input);
    }
  },
};

export const atobBtoaRoundTrip = {
  test() {
    let all = '';
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    assertEqual(atob(btoa(all)), all);
    // Large inputs exercise the chunked string building.
    const big = all.repeat(200);
    assertEqual(atob(btoa(big)), big);
  },
};

export const encodingGlobals = {
  test() {
    for (const name of ['TextEncoder', 'TextDecoder', 'atob', 'btoa']) {
      const desc = Object.getOwnPropertyDescriptor(globalThis, name);
      assert(desc !== undefined && !desc.enumerable, name);
    }
    assertEqual(Object.prototype.toString.call(new TextDecoder()), '[object TextDecoder]');
  },
};
