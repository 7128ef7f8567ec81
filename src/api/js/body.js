// What request and response bodies are made of: the byte-stream helpers http.js reads and
// builds bodies with (also the bridge to C++'s body sources), Blob, File and FormData (their
// multipart and urlencoded codecs are in multipart.js). Evaluated after compression.js, before
// http.js.

const { finishClass, requireArgs, dictionary, toUSVString, inspectSymbol } = internal;
const {
  then, markHandled, PromiseResolve, PromiseReject, toBytes, rsImpl, rsImplOrNull, createReadable,
  acquireReader, readerRead, rsCancel, canCloseOrEnqueue, ctrlEnqueue, ctrlClose, queueEmpty,
  tee,
} = internal.streams;

// A byte stream reading a native body source on demand (highWaterMark 0: no read-ahead).
function readableFromBodySource(source) {
  const pump = (c) => then(source.read(), (chunk) => {
    if (!canCloseOrEnqueue(c)) return;
    if (chunk === undefined) return ctrlClose(c);
    // Byte streams reject empty chunks, and a pull that enqueues nothing would never be retried.
    if (chunk.byteLength === 0) return pump(c);
    ctrlEnqueue(c, chunk);
  });
  const stream = createReadable(undefined, pump, (reason) => source.cancel(reason), 0, undefined,
    true);
  rsImpl(stream).bodySource = source;
  return stream;
}

// A byte stream holding one known buffer, for bodies built from strings or bytes.
function readableFromBytes(bytes) {
  return createReadable((c) => {
    if (bytes.byteLength > 0) ctrlEnqueue(c, bytes);
    ctrlClose(c);
  }, undefined, undefined, 0, undefined, true);
}

const kNotBytes = 'This ReadableStream did not return bytes.';

function concatBytes(chunks, total) {
  if (chunks.length === 1) {
    const only = chunks[0];
    // Enqueueing a chunk into a byte stream hands its buffer over, so a whole-buffer chunk can be
    // returned as is; anything else is copied so callers get a buffer of their own.
    if (only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) return only;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i], at);
    at += chunks[i].byteLength;
  }
  return out;
}

// Reads a whole stream of BufferSource chunks. Leaves the stream locked, as the Fetch spec's
// "fully read" does.
function readAllBytes(stream) {
  const s = rsImplOrNull(stream);
  if (s === null) return PromiseReject(new TypeError('Expected a ReadableStream.'));
  if (s.reader !== null) {
    return PromiseReject(new TypeError('This ReadableStream is currently locked to a reader.'));
  }
  const reader = acquireReader(s, false);
  return new Promise((resolve, reject) => {
    const chunks = [];
    let total = 0;
    let inRead = false;
    let again = false;
    // Reads complete synchronously while data is queued; loop instead of recursing then.
    const loop = () => {
      do {
        again = false;
        inRead = true;
        readerRead(reader, req);
        inRead = false;
      } while (again);
    };
    const req = {
      chunk(value) {
        const bytes = toBytes(value);
        if (bytes === null) {
          const e = new TypeError(kNotBytes);
          markHandled(rsCancel(s, e));
          reject(e);
          return;
        }
        if (bytes.byteLength > 0) {
          chunks.push(bytes);
          total += bytes.byteLength;
        }
        if (inRead) again = true;
        else loop();
      },
      close() {
        resolve(concatBytes(chunks, total));
      },
      error: reject,
    };
    loop();
  });
}

// The reader-like shape C++ consumes a response body through. A stream still wrapping an
// untouched native body source hands that source over directly, so proxying a fetch() response
// never round-trips its chunks through JS.
function readerLike(stream) {
  const s = rsImpl(stream);
  const reader = acquireReader(s, false);
  const c = s.controller;
  if (s.bodySource !== null && !s.disturbed && s.state === 'readable' && queueEmpty(c) &&
      !c.pulling) {
    s.disturbed = true;
    return s.bodySource;
  }
  return {
    read() {
      if (reader.stream === null) return PromiseResolve(undefined);
      return new Promise((resolve, reject) => readerRead(reader, {
        chunk(value) {
          const bytes = toBytes(value);
          if (bytes !== null) return resolve(bytes);
          const e = new TypeError(kNotBytes);
          markHandled(rsCancel(s, e));
          reject(e);
        },
        close() {
          resolve(undefined);
        },
        error: reject,
      }));
    },
    cancel(reason) {
      return rsCancel(s, reason);
    },
  };
}

// Locks a stream and marks it disturbed, for bodies whose bytes were consumed without a stream.
function lockAsConsumed(stream) {
  const s = rsImpl(stream);
  s.disturbed = true;
  if (s.reader === null) acquireReader(s, false);
}

// ---------------------------------------------------------------------------------------------
// Blob and File. A Blob's bytes never change, so slices and bodies share them; anything handed
// to user code as mutable (arrayBuffer(), bytes(), stream chunks) is a copy.

function utf8DecodeNoBOM(bytes) {
  const s = natives.utf8Decode(bytes, false);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

// Blob types are kept only if printable ASCII, lowercased.
function normalizeType(type) {
  if (type === undefined) return '';
  type = `${type}`;
  return /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : '';
}

let blobBytes;
let makeBlob;
let isBlob;
let setBlobState;

class Blob {
  #bytes;
  #type;

  constructor(blobParts = undefined, options = undefined) {
    options = dictionary(options, 'Blob');
    const endings = options.endings === undefined ? 'transparent' : `${options.endings}`;
    if (endings !== 'transparent' && endings !== 'native') {
      throw new TypeError(`Blob: invalid endings "${endings}".`);
    }
    this.#type = normalizeType(options.type);
    if (blobParts === undefined) {
      this.#bytes = new Uint8Array(0);
      return;
    }
    if (blobParts === null || typeof blobParts !== 'object' ||
        typeof blobParts[Symbol.iterator] !== 'function') {
      throw new TypeError('Blob: blobParts must be a sequence.');
    }
    const parts = [];
    let total = 0;
    for (const part of blobParts) {
      let bytes;
      if (isBlob(part)) {
        bytes = part.#bytes;
      } else {
        bytes = toBytes(part);
        if (bytes === null) {
          let s = toUSVString(part);
          // Unix is the "native" platform here, so native endings mean LF.
          if (endings === 'native') s = s.replace(/\r\n?/g, '\n');
          bytes = natives.utf8Encode(s);
        } else {
          bytes = bytes.slice();
        }
      }
      parts.push(bytes);
      total += bytes.byteLength;
    }
    this.#bytes = concatBytes(parts, total);
  }

  static {
    blobBytes = (blob) => blob.#bytes;
    isBlob = (o) => typeof o === 'object' && o !== null && #bytes in o;
    setBlobState = (blob, bytes, type) => {
      blob.#bytes = bytes;
      blob.#type = type;
    };
    makeBlob = (bytes, type) => {
      const blob = new Blob();
      setBlobState(blob, bytes, type);
      return blob;
    };
  }

  get size() {
    return this.#bytes.byteLength;
  }

  get type() {
    return this.#type;
  }

  slice(start = undefined, end = undefined, contentType = undefined) {
    const size = this.#bytes.byteLength;
    const clamp = (n, dflt) => {
      if (n === undefined) return dflt;
      n = Math.trunc(Number(n)) || 0;
      return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
    };
    const from = clamp(start, 0);
    const to = Math.max(clamp(end, size), from);
    return makeBlob(this.#bytes.subarray(from, to), normalizeType(contentType));
  }

  text() {
    if (!isBlob(this)) return PromiseReject(new TypeError('Illegal invocation.'));
    return PromiseResolve(utf8DecodeNoBOM(this.#bytes));
  }

  arrayBuffer() {
    if (!isBlob(this)) return PromiseReject(new TypeError('Illegal invocation.'));
    return PromiseResolve(this.#bytes.slice().buffer);
  }

  bytes() {
    if (!isBlob(this)) return PromiseReject(new TypeError('Illegal invocation.'));
    return PromiseResolve(this.#bytes.slice());
  }

  stream() {
    return readableFromBytes(this.#bytes.slice());
  }

  [inspectSymbol]() {
    return { size: this.size, type: this.type };
  }
}

let isFile;
let makeFile;

class File extends Blob {
  #name;
  #lastModified;
  static {
    isFile = (o) => typeof o === 'object' && o !== null && #name in o;
    // A File over bytes nothing else may change (it keeps them, as a Blob's are shared), with
    // its type taken as given: parts parsed from multipart bodies keep their Content-Type
    // header verbatim, as in workerd.
    makeFile = (bytes, type, name, lastModified) => {
      const file = new File([], '');
      setBlobState(file, bytes, type);
      file.#name = name;
      file.#lastModified = lastModified;
      return file;
    };
  }
  constructor(fileBits, fileName, options = undefined) {
    requireArgs(arguments.length, 2, 'File');
    options = dictionary(options, 'File');
    super(fileBits, options);
    this.#name = formString(fileName);
    const lastModified = options.lastModified;
    this.#lastModified = lastModified === undefined ? Date.now() :
      Math.trunc(Number(lastModified)) || 0;
  }
  get name() {
    return this.#name;
  }
  get lastModified() {
    return this.#lastModified;
  }
  [inspectSymbol]() {
    return { name: this.name, size: this.size, type: this.type, lastModified: this.lastModified };
  }
}

// ---------------------------------------------------------------------------------------------
// FormData

const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

// workerd converts FormData strings to UTF-8 and back through a lenient encoder that writes a
// lone surrogate as its three generalized-UTF-8 bytes, each of which then decodes to U+FFFD;
// names, values and filenames read back with three replacement characters per lone surrogate.
function formString(value) {
  const s = `${value}`;
  if (!/[\ud800-\udfff]/.test(s)) return s;
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd\ufffd\ufffd');
}

// workerd's wording for a missing argument: "parameter N is not of type 'T'".
function requireFormArgs(count, required, method) {
  if (count >= required) return;
  const type = count === 0 ? 'string' : 'File or Blob or string';
  throw new TypeError(`Failed to execute '${method}' on 'FormData': parameter ${count + 1} is ` +
    `not of type '${type}'.`);
}

// An entry as workerd stores it: a Blob becomes a File named by the filename argument or, when
// there is none (undefined counts as none), after the entry itself; a File given without a
// filename is kept as is; a filename given with a string value is ignored.
function formEntry(name, value, filename) {
  name = formString(name);
  if (!isBlob(value)) return [name, formString(value)];
  if (filename === undefined && isFile(value)) return [name, value];
  const fileName = filename === undefined ? name : formString(filename);
  return [name, makeFile(blobBytes(value), value.type, fileName, Date.now())];
}

let formEntries;
let isFormData;

class FormData {
  #entries = [];

  constructor(form = undefined) {
    if (form !== undefined) {
      throw new TypeError('FormData: there are no HTML form elements to construct from.');
    }
  }

  static {
    formEntries = (fd) => fd.#entries;
    isFormData = (o) => typeof o === 'object' && o !== null && #entries in o;
  }

  append(name, value, filename = undefined) {
    requireFormArgs(arguments.length, 2, 'append');
    this.#entries.push(formEntry(name, value, filename));
  }

  delete(name) {
    requireFormArgs(arguments.length, 1, 'delete');
    name = formString(name);
    this.#entries = this.#entries.filter((e) => e[0] !== name);
  }

  get(name) {
    requireFormArgs(arguments.length, 1, 'get');
    name = formString(name);
    const entry = this.#entries.find((e) => e[0] === name);
    return entry === undefined ? null : entry[1];
  }

  getAll(name) {
    requireFormArgs(arguments.length, 1, 'getAll');
    name = formString(name);
    return this.#entries.filter((e) => e[0] === name).map((e) => e[1]);
  }

  has(name) {
    requireFormArgs(arguments.length, 1, 'has');
    name = formString(name);
    return this.#entries.some((e) => e[0] === name);
  }

  set(name, value, filename = undefined) {
    requireFormArgs(arguments.length, 2, 'set');
    const entry = formEntry(name, value, filename);
    const entries = this.#entries;
    const first = entries.findIndex((e) => e[0] === entry[0]);
    if (first === -1) {
      entries.push(entry);
      return;
    }
    entries[first] = entry;
    this.#entries = entries.filter((e, i) => i <= first || e[0] !== entry[0]);
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== 'function') throw new TypeError('FormData.forEach needs a function.');
    // Re-reads the list each step, so callbacks that mutate behave like the live iterator.
    for (let i = 0; i < this.#entries.length; i++) {
      const [name, value] = this.#entries[i];
      callback.call(thisArg, value, name, this);
    }
  }

  entries() {
    this.#entries;
    return new FormDataIterator(this, 2);
  }
  keys() {
    this.#entries;
    return new FormDataIterator(this, 0);
  }
  values() {
    this.#entries;
    return new FormDataIterator(this, 1);
  }

  [inspectSymbol]() {
    const out = {};
    for (const [name, value] of this.#entries) {
      if (!Object.prototype.hasOwnProperty.call(out, name)) out[name] = value;
      else if (Array.isArray(out[name])) out[name].push(value);
      else out[name] = [out[name], value];
    }
    return out;
  }
}

class FormDataIterator {
  #fd;
  #kind;
  #index = 0;
  constructor(fd, kind) {
    this.#fd = fd;
    this.#kind = kind;
  }
  next() {
    const entries = formEntries(this.#fd);
    if (this.#index >= entries.length) return { value: undefined, done: true };
    const entry = entries[this.#index++];
    const kind = this.#kind;
    return { value: kind === 2 ? [entry[0], entry[1]] : entry[kind], done: false };
  }
}
Object.setPrototypeOf(FormDataIterator.prototype, IteratorPrototype);

// ---------------------------------------------------------------------------------------------
// MIME types

// "type/subtype; a=b; c="d"" → {essence, params: Map} (names lowercased).
function parseMimeType(value) {
  const semi = value.indexOf(';');
  const essence = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  const params = new Map();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  let m;
  while ((m = re.exec(value)) !== null) {
    const name = m[1].toLowerCase();
    if (params.has(name)) continue;
    params.set(name, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim());
  }
  return { essence, params };
}

finishClass(Blob);
finishClass(File);
finishClass(FormData);
Object.defineProperty(FormData.prototype, Symbol.iterator, {
  value: FormData.prototype.entries, writable: true, configurable: true,
});
finishClass(FormDataIterator, 'FormData Iterator');

internal.readableFromBodySource = readableFromBodySource;
internal.readableFromBytes = readableFromBytes;
internal.readAllBytes = readAllBytes;
internal.readerLike = readerLike;
internal.lockAsConsumed = lockAsConsumed;
internal.isReadableStream = (o) => rsImplOrNull(o) !== null;
internal.isStreamLocked = (stream) => rsImpl(stream).reader !== null;
internal.isStreamDisturbed = (stream) => rsImpl(stream).disturbed;
internal.teeStream = (stream) => tee(rsImpl(stream));
internal.utf8DecodeNoBOM = utf8DecodeNoBOM;
internal.concatBytes = concatBytes;
internal.Blob = Blob;
internal.File = File;
internal.FormData = FormData;
internal.isBlob = isBlob;
internal.blobBytes = blobBytes;
internal.makeBlob = makeBlob;
internal.isFormData = isFormData;
internal.formEntries = formEntries;
internal.makeFile = makeFile;
internal.formString = formString;
internal.parseMimeType = parseMimeType;

internal.defineGlobal('Blob', Blob);
internal.defineGlobal('File', File);
internal.defineGlobal('FormData', FormData);
