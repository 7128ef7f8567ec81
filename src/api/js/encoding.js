// TextEncoder, TextDecoder (UTF-8 only), atob and btoa, plus the percent-encoding and punycode
// helpers that url.js uses.
//
// The byte-level UTF-8 work is done by natives; this file handles the Web IDL argument rules,
// the BOM and streaming (holding back an incomplete multi-byte sequence between decode calls).

const { DOMException, finishClass, requireArgs, dictionary } = internal;

// Captured now so that user code replacing these prototype getters cannot confuse us later.
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
function getter(proto, name) {
  return Object.getOwnPropertyDescriptor(proto, name).get;
}
const typedArrayTag = getter(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayBuffer = getter(TypedArrayPrototype, 'buffer');
const typedArrayByteOffset = getter(TypedArrayPrototype, 'byteOffset');
const typedArrayByteLength = getter(TypedArrayPrototype, 'byteLength');
const dataViewBuffer = getter(DataView.prototype, 'buffer');
const dataViewByteOffset = getter(DataView.prototype, 'byteOffset');
const dataViewByteLength = getter(DataView.prototype, 'byteLength');
const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
// Looked up on first use: V8 installs SharedArrayBuffer when a context is created, after the
// startup snapshot these built-ins were evaluated in.
let sharedArrayBufferByteLength;
const ReflectApply = Reflect.apply;
const ArrayBufferIsView = ArrayBuffer.isView;
const StringFromCharCode = String.fromCharCode;

function isArrayBuffer(value) {
  try {
    ReflectApply(arrayBufferByteLength, value, []);
    return true;
  } catch {
    return false;
  }
}

function isSharedArrayBuffer(value) {
  if (sharedArrayBufferByteLength === undefined) {
    sharedArrayBufferByteLength = typeof SharedArrayBuffer === 'function'
      ? getter(SharedArrayBuffer.prototype, 'byteLength') : null;
  }
  if (sharedArrayBufferByteLength === null) return false;
  try {
    ReflectApply(sharedArrayBufferByteLength, value, []);
    return true;
  } catch {
    return false;
  }
}

function isUint8Array(value) {
  return ReflectApply(typedArrayTag, value, []) === 'Uint8Array';
}

// A Uint8Array over the bytes of any BufferSource, without copying.
function toUint8Array(input, what) {
  if (ArrayBufferIsView(input)) {
    if (ReflectApply(typedArrayTag, input, []) !== undefined) {
      return new Uint8Array(ReflectApply(typedArrayBuffer, input, []),
        ReflectApply(typedArrayByteOffset, input, []),
        ReflectApply(typedArrayByteLength, input, []));
    }
    return new Uint8Array(ReflectApply(dataViewBuffer, input, []),
      ReflectApply(dataViewByteOffset, input, []), ReflectApply(dataViewByteLength, input, []));
  }
  if (isArrayBuffer(input) || isSharedArrayBuffer(input)) return new Uint8Array(input);
  throw new TypeError(`${what}: The provided value is not of type ` +
    "'(ArrayBuffer or ArrayBufferView)'.");
}
internal.toUint8Array = toUint8Array;
internal.isArrayBuffer = isArrayBuffer;
internal.isUint8Array = isUint8Array;

// ---------------------------------------------------------------------------------------------
// TextEncoder

class TextEncoder {
  #brand = true;

  get encoding() {
    if (!(#brand in this)) throw new TypeError('Illegal invocation');
    return 'utf-8';
  }

  encode(input = '') {
    if (!(#brand in this)) throw new TypeError('Illegal invocation');
    return natives.utf8Encode(`${input}`);
  }

  encodeInto(source, destination) {
    if (!(#brand in this)) throw new TypeError('Illegal invocation');
    requireArgs(arguments.length, 2, "Failed to execute 'encodeInto' on 'TextEncoder'");
    source = `${source}`;
    if (!ArrayBufferIsView(destination) || !isUint8Array(destination)) {
      throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': " +
        "parameter 2 is not of type 'Uint8Array'.");
    }
    const [read, written] = natives.utf8EncodeInto(source, destination);
    return { read, written };
  }
}
finishClass(TextEncoder);

// ---------------------------------------------------------------------------------------------
// TextDecoder

// The WHATWG Encoding Standard's labels for UTF-8.
const utf8Labels = new Set([
  'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8',
]);

// If `bytes` ends in the start of a multi-byte sequence that later bytes could still complete,
// returns how many bytes that start has; otherwise 0. An invalid prefix (for example E0 80) is
// not held back, since no later byte can make it valid: it decodes to U+FFFD right away.
function incompleteTailLength(bytes) {
  const end = bytes.length;
  let lead = end - 1;
  // Walk back over at most three continuation bytes to the lead byte.
  while (lead >= 0 && end - lead <= 3 && (bytes[lead] & 0xc0) === 0x80) lead--;
  if (lead < 0) return 0;
  const first = bytes[lead];
  const have = end - lead;
  let need;
  if (first >= 0xc2 && first <= 0xdf) need = 2;
  else if (first >= 0xe0 && first <= 0xef) need = 3;
  else if (first >= 0xf0 && first <= 0xf4) need = 4;
  else return 0;
  if (have >= need) return 0;
  if (have >= 2) {
    // The second byte's valid range is narrower for a few lead bytes (overlongs, surrogates,
    // code points past U+10FFFF).
    const second = bytes[lead + 1];
    let low = 0x80;
    let high = 0xbf;
    if (first === 0xe0) low = 0xa0;
    else if (first === 0xed) high = 0x9f;
    else if (first === 0xf0) low = 0x90;
    else if (first === 0xf4) high = 0x8f;
    if (second < low || second > high) return 0;
  }
  return have;
}

class TextDecoder {
  #fatal;
  #ignoreBOM;
  // Bytes of an incomplete sequence carried over from a streaming decode() call.
  #pending = null;
  #bomSeen = false;

  constructor(label = 'utf-8', options = undefined) {
    const normalized = `${label}`.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').toLowerCase();
    if (!utf8Labels.has(normalized)) {
      throw new RangeError(`The "${label}" encoding is not supported`);
    }
    const init = dictionary(options, "Failed to construct 'TextDecoder'");
    this.#fatal = !!init.fatal;
    this.#ignoreBOM = !!init.ignoreBOM;
  }

  get encoding() {
    if (!(#fatal in this)) throw new TypeError('Illegal invocation');
    return 'utf-8';
  }

  get fatal() {
    return this.#fatal;
  }

  get ignoreBOM() {
    return this.#ignoreBOM;
  }

  decode(input = undefined, options = undefined) {
    if (!(#fatal in this)) throw new TypeError('Illegal invocation');
    let bytes = input === undefined
      ? new Uint8Array(0)
      : toUint8Array(input, "Failed to execute 'decode' on 'TextDecoder'");
    const stream = !!dictionary(options, "Failed to execute 'decode' on 'TextDecoder'").stream;
    if (this.#pending !== null) {
      const merged = new Uint8Array(this.#pending.length + bytes.length);
      merged.set(this.#pending);
      merged.set(bytes, this.#pending.length);
      bytes = merged;
      this.#pending = null;
    }
    let end = bytes.length;
    if (stream) {
      const hold = incompleteTailLength(bytes);
      if (hold > 0) {
        // Copy: the caller may reuse (or the other side of a SharedArrayBuffer may change) the
        // memory before the next call.
        this.#pending = bytes.slice(end - hold);
        end -= hold;
      }
    }
    let text;
    try {
      text = end === 0 ? '' : natives.utf8Decode(
        end === bytes.length ? bytes : bytes.subarray(0, end), this.#fatal);
    } catch (error) {
      this.#pending = null;
      this.#bomSeen = false;
      throw error;
    }
    if (!this.#ignoreBOM && !this.#bomSeen && text.length > 0) {
      // Only a BOM at the very start of the stream is dropped.
      this.#bomSeen = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (!stream) {
      this.#pending = null;
      this.#bomSeen = false;
    }
    return text;
  }
}
finishClass(TextDecoder);

// ---------------------------------------------------------------------------------------------
// atob / btoa (forgiving-base64, HTML "Base64 utility methods")

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64Values = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) base64Values[base64Alphabet.charCodeAt(i)] = i;

function invalidCharacter(message) {
  return new DOMException(message, 'InvalidCharacterError');
}

function btoa(data) {
  requireArgs(arguments.length, 1, "Failed to execute 'btoa'");
  const input = `${data}`;
  const length = input.length;
  for (let i = 0; i < length; i++) {
    if (input.charCodeAt(i) > 0xff) {
      throw invalidCharacter('The string to be encoded contains characters outside of the ' +
        'Latin1 range.');
    }
  }
  const parts = [];
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n = (input.charCodeAt(i) << 16) | (input.charCodeAt(i + 1) << 8) |
      input.charCodeAt(i + 2);
    parts.push(base64Alphabet[n >> 18] + base64Alphabet[(n >> 12) & 63] +
      base64Alphabet[(n >> 6) & 63] + base64Alphabet[n & 63]);
  }
  if (length - i === 1) {
    const n = input.charCodeAt(i) << 16;
    parts.push(`${base64Alphabet[n >> 18]}${base64Alphabet[(n >> 12) & 63]}==`);
  } else if (length - i === 2) {
    const n = (input.charCodeAt(i) << 16) | (input.charCodeAt(i + 1) << 8);
    parts.push(`${base64Alphabet[n >> 18]}${base64Alphabet[(n >> 12) & 63]}` +
      `${base64Alphabet[(n >> 6) & 63]}=`);
  }
  return parts.join('');
}

function atob(data) {
  requireArgs(arguments.length, 1, "Failed to execute 'atob'");
  let input = `${data}`.replace(/[\t\n\f\r ]+/g, '');
  if (input.length % 4 === 0) {
    if (input.endsWith('==')) input = input.slice(0, -2);
    else if (input.endsWith('=')) input = input.slice(0, -1);
  }
  const length = input.length;
  if (length % 4 === 1) {
    throw invalidCharacter('The string to be decoded is not correctly encoded.');
  }
  const codes = [];
  const chunks = [];
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < length; i++) {
    const c = input.charCodeAt(i);
    const value = c < 128 ? base64Values[c] : -1;
    if (value < 0) throw invalidCharacter('The string to be decoded is not correctly encoded.');
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      codes.push((buffer >> bits) & 0xff);
      // Leftover bits past a byte boundary are discarded, as forgiving-base64 requires.
      buffer &= (1 << bits) - 1;
      if (codes.length === 8192) {
        chunks.push(ReflectApply(StringFromCharCode, null, codes));
        codes.length = 0;
      }
    }
  }
  chunks.push(ReflectApply(StringFromCharCode, null, codes));
  return chunks.join('');
}

// ---------------------------------------------------------------------------------------------
// Percent-encoding and punycode, the byte-level encodings of URLs (used by url.js).

function makeSet(base, extra) {
  const set = base ? base.slice() : new Uint8Array(128);
  if (!base) {
    for (let c = 0; c < 0x20; c++) set[c] = 1;
    set[0x7f] = 1;
  }
  for (let i = 0; i < extra.length; i++) set[extra.charCodeAt(i)] = 1;
  return set;
}
// The URL Standard's percent-encode sets. Every set also contains all code points above U+007E;
// only the ASCII part is tabulated.
const C0_CONTROL_SET = makeSet(null, '');
const FRAGMENT_SET = makeSet(C0_CONTROL_SET, ' "<>`');
const QUERY_SET = makeSet(C0_CONTROL_SET, ' "#<>');
const SPECIAL_QUERY_SET = makeSet(QUERY_SET, "'");
const PATH_SET = makeSet(QUERY_SET, '?`{}');
const USERINFO_SET = makeSet(PATH_SET, '/:;=@[\\]^|');
const COMPONENT_SET = makeSet(USERINFO_SET, '$%&+,');
const FORM_SET = makeSet(COMPONENT_SET, "!'()~");

const hexDigits = '0123456789ABCDEF';
function percentByte(byte) {
  return `%${hexDigits[byte >> 4]}${hexDigits[byte & 15]}`;
}

// UTF-8 percent-encodes every code point of `input` that is in `set` (all non-ASCII ones are).
function percentEncode(input, set, spaceAsPlus = false) {
  let out = '';
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c < 0x80 && set[c] === 0) continue;
    if (start < i) out += input.slice(start, i);
    if (c === 0x20 && spaceAsPlus) {
      out += '+';
    } else if (c < 0x80) {
      out += percentByte(c);
    } else {
      // Encode a whole run of non-ASCII code units at once; utf8Encode pairs surrogates and
      // turns lone ones into U+FFFD.
      let end = i + 1;
      while (end < input.length && input.charCodeAt(end) >= 0x80) end++;
      const bytes = natives.utf8Encode(input.slice(i, end));
      for (let j = 0; j < bytes.length; j++) out += percentByte(bytes[j]);
      i = end - 1;
    }
    start = i + 1;
  }
  return start === 0 ? input : out + input.slice(start);
}

function hexValue(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

// "Percent-decode" followed by "UTF-8 decode without BOM" (invalid bytes become U+FFFD).
function percentDecodeToString(input) {
  if (input.indexOf('%') === -1) return input;
  const bytes = natives.utf8Encode(input);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const high = bytes[i] === 0x25 && i + 2 < bytes.length ? hexValue(bytes[i + 1]) : -1;
    const low = high >= 0 ? hexValue(bytes[i + 2]) : -1;
    if (low >= 0) {
      out[n++] = (high << 4) | low;
      i += 2;
    } else {
      out[n++] = bytes[i];
    }
  }
  return natives.utf8Decode(out.subarray(0, n), false);
}

// Punycode (RFC 3492) encoding of one label, for internationalized domain names.
function punycodeEncode(label) {
  const codePoints = Array.from(label, (c) => c.codePointAt(0));
  let output = '';
  for (const c of codePoints) if (c < 0x80) output += String.fromCharCode(c);
  const basic = output.length;
  let handled = basic;
  if (basic > 0) output += '-';
  const digit = (d) => String.fromCharCode(d < 26 ? d + 97 : d + 22);
  const adapt = (delta, count, first) => {
    delta = first ? Math.floor(delta / 700) : delta >> 1;
    delta += Math.floor(delta / count);
    let k = 0;
    while (delta > 455) {
      delta = Math.floor(delta / 35);
      k += 36;
    }
    return k + Math.floor((36 * delta) / (delta + 38));
  };
  let n = 0x80;
  let delta = 0;
  let bias = 72;
  while (handled < codePoints.length) {
    let m = Infinity;
    for (const c of codePoints) if (c >= n && c < m) m = c;
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of codePoints) {
      if (c < n) delta++;
      if (c !== n) continue;
      let q = delta;
      for (let k = 36; ; k += 36) {
        const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
        if (q < t) break;
        output += digit(t + ((q - t) % (36 - t)));
        q = Math.floor((q - t) / (36 - t));
      }
      output += digit(q);
      bias = adapt(delta, handled + 1, handled === basic);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return output;
}

internal.percentEncoding = {
  percentEncode, percentDecodeToString, hexValue, punycodeEncode, C0_CONTROL_SET, FRAGMENT_SET,
  QUERY_SET, SPECIAL_QUERY_SET, PATH_SET, USERINFO_SET, COMPONENT_SET, FORM_SET,
};

internal.inspectHooks.set(TextEncoder.prototype, () => ({ encoding: 'utf-8' }));
internal.inspectHooks.set(TextDecoder.prototype, (decoder) => ({
  encoding: 'utf-8', fatal: decoder.fatal, ignoreBOM: decoder.ignoreBOM,
}));

internal.TextEncoder = TextEncoder;
internal.TextDecoder = TextDecoder;
internal.atob = atob;
internal.btoa = btoa;

internal.defineGlobal('TextEncoder', TextEncoder);
internal.defineGlobal('TextDecoder', TextDecoder);
internal.defineGlobal('atob', atob);
internal.defineGlobal('btoa', btoa);
