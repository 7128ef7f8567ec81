// Fetch API: Request, Response, fetch(), service-binding Fetchers, and the entry points C++ uses
// to hand incoming requests to JS and take responses back. Evaluated after body.js and headers.js
// (Headers).
//
// Bodies are kept in the cheapest form that can serve them: a string or byte array given to a
// constructor stays as is (prepareResponse passes it to C++ without any stream), and a native
// body source stays a source until someone asks for `.body`. A ReadableStream is only built
// when user code touches `.body`.

const {
  finishClass, requireArgs, dictionary, toUSVString, inspectSymbol, parseURL, isAbortSignal,
  addAbortAlgorithm, createAbortSignal, URLSearchParams, isBlob, isFormData, blobBytes, makeBlob,
  serializeMultipart, parseFormDataBody, parseMimeType, utf8DecodeNoBOM, readableFromBodySource,
  readableFromBytes, readAllBytes, readerLike, lockAsConsumed, isReadableStream, isStreamLocked,
  isStreamDisturbed, teeStream, concatBytes,
} = internal;
const { kInternal, then, markHandled, PromiseResolve, PromiseReject } = internal.streams;
const { Headers } = internal;
const { kTokenRe, headersList, headersGet, headersFreeze, headersFromList } = internal.headers;

const kUsed = 'Body has already been used. It can only be used once. Use tee() first if you need ' +
  'to read it twice.';
const kLocked = "The body's ReadableStream is locked to a reader.";

// ---------------------------------------------------------------------------------------------
// Body: the state and methods Request and Response share (they extend it, as in workerd).

const kNone = 0;
const kString = 1;
const kBytes = 2;
const kStream = 3;
const kSource = 4;

const kEmpty = new Uint8Array(0);

function readSource(source) {
  const chunks = [];
  let total = 0;
  const step = (chunk) => {
    if (chunk === undefined) return concatBytes(chunks, total);
    if (chunk.byteLength > 0) {
      chunks.push(chunk);
      total += chunk.byteLength;
    }
    return then(source.read(), step);
  };
  return then(source.read(), step);
}

let bodyInit;
let bodyCopyHeaders;
let bodyHasBody;
let bodyCopy;
let bodyUsable;
let bodyTake;
let bodyTakeForFetch;
let bodyIsOneTime;
let bodyHeaders;
let bodyHeadersList;
let bodyContentType;
let bodySetRawHeaders;
let isBodyObject;
let consumeBody;
let bodyIsUsed;
let bodyForInspect;
let bodyStream;

class Body {
  #kind = kNone;
  #data = null; // string, Uint8Array, ReadableStream or body source, per #kind
  #owned = false; // whether #data (bytes) may be handed out without copying
  #used = false;
  #headers = null;
  // Until `headers` is read: the trusted list C++ gave, or just an implied content-type.
  #rawHeaders = null;
  #lazyType = null;
  #immutable = false;

  constructor(key) {
    if (key !== kInternal) throw new TypeError('Illegal constructor.');
  }

  get body() {
    return bodyStream(this);
  }

  get bodyUsed() {
    return bodyIsUsed(this);
  }

  arrayBuffer() {
    return then(consumeBody(this, false), (bytes) => (bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer));
  }

  bytes() {
    return consumeBody(this, false);
  }

  blob() {
    return then(consumeBody(this, false), (bytes) => makeBlob(bytes, mimeTypeOf(this)));
  }

  text() {
    return then(consumeBody(this, true), textOf);
  }

  json() {
    return then(consumeBody(this, true), (data) => JSON.parse(textOf(data)));
  }

  formData() {
    if (!isBodyObject(this)) return PromiseReject(new TypeError('Illegal invocation.'));
    const type = bodyContentType(this);
    return then(consumeBody(this, false), (bytes) => parseFormDataBody(bytes, type));
  }

  static {
    isBodyObject = (o) => typeof o === 'object' && o !== null && #kind in o;

    bodyIsUsed = (b) => b.#used || (b.#kind === kStream && isStreamDisturbed(b.#data));

    // What console.log shows as `body`, without turning a buffered body into a stream.
    bodyForInspect = (b) => {
      if (b.#kind === kNone || b.#kind === kStream) return b.#data;
      return b.#used ? '(used)' : b.#kind === kSource ? '(stream)' : '(buffered)';
    };

    // The body as a ReadableStream (or null), built on first use from whatever form it has.
    bodyStream = (b) => {
      const kind = b.#kind;
      if (kind === kStream) return b.#data;
      if (kind === kNone) return null;
      let stream;
      if (b.#used) {
        stream = readableFromBytes(kEmpty);
        lockAsConsumed(stream);
      } else if (kind === kSource) {
        stream = readableFromBodySource(b.#data);
      } else if (kind === kString) {
        stream = readableFromBytes(natives.utf8Encode(b.#data));
      } else {
        stream = readableFromBytes(b.#owned ? b.#data : b.#data.slice());
      }
      b.#kind = kStream;
      b.#data = stream;
      return stream;
    };

    // → Promise of a string (when asText and the body is a string) or of a Uint8Array the
    // caller owns.
    consumeBody = (b, asText) => {
      if (!isBodyObject(b)) return PromiseReject(new TypeError('Illegal invocation.'));
      const kind = b.#kind;
      if (kind === kNone) return PromiseResolve(asText ? '' : new Uint8Array(0));
      if (bodyIsUsed(b)) return PromiseReject(new TypeError(kUsed));
      const data = b.#data;
      if (kind === kStream && isStreamLocked(data)) return PromiseReject(new TypeError(kLocked));
      b.#used = true;
      if (kind !== kStream) b.#data = null;
      if (kind === kString) return PromiseResolve(asText ? data : natives.utf8Encode(data));
      if (kind === kBytes) return PromiseResolve(b.#owned ? data : data.slice());
      return kind === kSource ? readSource(data) : readAllBytes(data);
    };

    // Sets the body from a BodyInit (not null/undefined) and returns its implied content type.
    const extract = (b, init) => {
      if (typeof init === 'string') {
        b.#kind = kString;
        b.#data = init;
        return 'text/plain;charset=UTF-8';
      }
      if (typeof init === 'object' && init !== null) {
        if (isReadableStream(init)) {
          if (isStreamDisturbed(init)) {
            throw new TypeError('This ReadableStream is disturbed (has already been read from), ' +
              'and cannot be used as a body.');
          }
          if (isStreamLocked(init)) {
            throw new TypeError('This ReadableStream is locked to a reader, and cannot be used as ' +
              'a body.');
          }
          b.#kind = kStream;
          b.#data = init;
          return null;
        }
        if (init instanceof ArrayBuffer || ArrayBuffer.isView(init)) {
          b.#kind = kBytes;
          b.#data = init instanceof ArrayBuffer ? new Uint8Array(init.slice(0)) :
            new Uint8Array(init.buffer, init.byteOffset, init.byteLength).slice();
          b.#owned = true;
          return null;
        }
        if (isBlob(init)) {
          b.#kind = kBytes;
          b.#data = blobBytes(init);
          return init.type || null;
        }
        if (init instanceof URLSearchParams) {
          b.#kind = kString;
          b.#data = `${init}`;
          return 'application/x-www-form-urlencoded;charset=UTF-8';
        }
        if (isFormData(init)) {
          const { bytes, contentType } = serializeMultipart(init);
          b.#kind = kBytes;
          b.#data = bytes;
          b.#owned = true;
          return contentType;
        }
      }
      b.#kind = kString;
      b.#data = `${init}`;
      return 'text/plain;charset=UTF-8';
    };

    // Sets the body (null/undefined: none) and, when headersInit is given, replaces the headers
    // with new Headers(headersInit); then adds the body's implied (or the given) content-type
    // if the headers have none.
    bodyInit = (b, body, headersInit, typeOverride = undefined) => {
      let type = body === undefined || body === null ? null : extract(b, body);
      if (typeOverride !== undefined) type = typeOverride;
      if (headersInit !== undefined) {
        b.#headers = new Headers(headersInit);
        b.#rawHeaders = null;
        b.#lazyType = null;
      }
      if (type === null) return;
      if (b.#headers !== null || b.#rawHeaders !== null) {
        if (bodyContentType(b) === null) bodyHeaders(b).append('content-type', type);
      } else if (b.#lazyType === null) {
        b.#lazyType = type;
      }
    };

    // clone() keeps immutability; new Request(request) gets mutable headers.
    bodyCopyHeaders = (to, from, keepImmutable = false) => {
      if (from.#headers !== null) {
        to.#headers = new Headers(from.#headers);
        if (keepImmutable && from.#immutable) headersFreeze(to.#headers);
      }
      to.#rawHeaders = from.#rawHeaders;
      to.#lazyType = from.#lazyType;
      to.#immutable = keepImmutable && from.#immutable;
    };

    bodyHasBody = (b) => b.#kind !== kNone;

    // Gives `to` a clone of `from`'s body (teeing streams), or with `move` the body itself,
    // leaving `from` used.
    bodyCopy = (to, from, move) => {
      const kind = from.#kind;
      if (kind === kNone) return;
      if (move) {
        to.#kind = kind;
        to.#data = from.#data;
        to.#owned = from.#owned;
        from.#kind = kString;
        from.#data = '';
        from.#used = true;
        return;
      }
      if (kind === kSource) bodyStream(from); // a stream can be teed, a source cannot
      to.#kind = from.#kind;
      if (from.#kind === kStream) {
        const [a, b] = teeStream(from.#data);
        from.#data = a;
        to.#data = b;
      } else {
        to.#data = from.#data;
        from.#owned = to.#owned = false;
      }
    };

    // null if the body can be read or passed on, else the error explaining why not.
    bodyUsable = (b) => {
      if (b.#kind === kNone) return null;
      if (bodyIsUsed(b)) return new TypeError(kUsed);
      if (b.#kind === kStream && isStreamLocked(b.#data)) return new TypeError(kLocked);
      return null;
    };

    // Marks the body used and returns it as C++ takes it: null, a Uint8Array, or (unless
    // `buffered`) a reader-like/body source; with `buffered`, a promise of null or bytes.
    bodyTake = (b, buffered) => {
      const kind = b.#kind;
      const data = b.#data;
      if (kind === kNone) return buffered ? PromiseResolve(null) : null;
      b.#used = true;
      if (kind !== kStream) b.#data = null;
      let out;
      if (kind === kString) out = natives.utf8Encode(data);
      else if (kind === kBytes) out = data;
      else if (buffered) return kind === kSource ? readSource(data) : readAllBytes(data);
      else return kind === kSource ? data : readerLike(data);
      return buffered ? PromiseResolve(out) : out;
    };

    // For fetch(): an untouched native body (a request passed on as it came) goes to C++ as the
    // source itself, to be streamed without JavaScript or buffering; anything else is buffered.
    // A body made from a stream (or a request's own) cannot be sent twice (a 307 or 308).
    bodyIsOneTime = (b) => b.#kind === kStream || b.#kind === kSource;

    bodyTakeForFetch = (b) => {
      if (b.#kind !== kSource) return bodyTake(b, true);
      b.#used = true;
      return PromiseResolve(b.#data);
    };

    bodyHeaders = (b) => {
      if (b.#headers === null) {
        let h;
        if (b.#rawHeaders !== null) {
          h = headersFromList(b.#rawHeaders);
        } else {
          h = new Headers();
          if (b.#lazyType !== null) h.append('content-type', b.#lazyType);
        }
        if (b.#immutable) headersFreeze(h);
        b.#headers = h;
        b.#rawHeaders = null;
        b.#lazyType = null;
      }
      return b.#headers;
    };

    bodyHeadersList = (b) => {
      if (b.#headers !== null) return headersList(b.#headers);
      if (b.#rawHeaders !== null) return b.#rawHeaders;
      return b.#lazyType === null ? [] : [['content-type', b.#lazyType]];
    };

    bodyContentType = (b) => {
      if (b.#headers !== null) return headersGet(b.#headers, 'content-type');
      if (b.#rawHeaders !== null) {
        const values = [];
        for (const [name, value] of b.#rawHeaders) {
          if (`${name}`.toLowerCase() === 'content-type') values.push(value);
        }
        return values.length === 0 ? null : values.join(', ');
      }
      return b.#lazyType;
    };

    // For objects made by C++ or fetch(): trusted headers and/or a native body source.
    bodySetRawHeaders = (b, list, source, immutable) => {
      b.#rawHeaders = list;
      b.#immutable = immutable;
      if (source !== null && source !== undefined) {
        b.#kind = kSource;
        b.#data = source;
      }
    };
  }
}

// The body's MIME type, normalized (lowercased, params as ;name=value) as the Fetch spec's "get
// the MIME type" does, or "" when there is none or it does not parse.
function mimeTypeOf(body) {
  const type = bodyContentType(body);
  if (type === null) return '';
  const { essence, params } = parseMimeType(type);
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(essence)) return '';
  let out = essence;
  for (const [name, value] of params) {
    out += `;${name}=${kTokenRe.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`}`;
  }
  return out;
}

// Strings given as bodies become UTF-8 and back when read; keep the result identical to that
// round trip (lone surrogates become U+FFFD, a leading BOM is dropped) without doing it.
function textOf(data) {
  if (typeof data !== 'string') return utf8DecodeNoBOM(data);
  if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
  return toUSVString(data);
}

// ---------------------------------------------------------------------------------------------
// Request

const kMethods = new Map([
  ['DELETE', 'DELETE'], ['GET', 'GET'], ['HEAD', 'HEAD'], ['OPTIONS', 'OPTIONS'],
  ['POST', 'POST'], ['PUT', 'PUT'], ['PATCH', 'PATCH'],
]);

function normalizeMethod(method) {
  method = `${method}`;
  const known = kMethods.get(method);
  if (known !== undefined) return known;
  if (!kTokenRe.test(method)) throw new TypeError(`Invalid HTTP method "${method}".`);
  const upper = method.toUpperCase();
  if (upper === 'CONNECT' || upper === 'TRACE' || upper === 'TRACK') {
    throw new TypeError(`HTTP method "${method}" is not allowed.`);
  }
  return kMethods.get(upper) || method;
}

function parseRequestURL(input) {
  const str = toUSVString(input);
  const url = parseURL(str);
  if (url === null) {
    throw new TypeError(`Invalid URL "${str}": fetch() and Request need an absolute URL.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('Request cannot be constructed from a URL that includes credentials.');
  }
  return url.href;
}

// As workerd: "error" is refused (at the edge a redirect is data to look at, not a failure).
const kRedirectModes = ['follow', 'manual'];

let isRequest;
let requestInternals;

class Request extends Body {
  #method = 'GET';
  #url = '';
  #redirect = 'follow';
  #signal = null;
  #cf = undefined;

  constructor(input, init = undefined) {
    super(kInternal);
    if (input === kInternal) return;
    requireArgs(arguments.length, 1, 'Request');
    init = dictionary(init, 'Request');
    const from = isRequest(input) ? input : null;
    if (from !== null) {
      this.#url = from.#url;
      this.#method = from.#method;
      this.#redirect = from.#redirect;
      this.#signal = from.#signal;
      this.#cf = from.#cf;
    } else {
      this.#url = parseRequestURL(input);
    }
    if (init.method !== undefined) this.#method = normalizeMethod(init.method);
    if (init.redirect !== undefined) {
      const redirect = `${init.redirect}`;
      if (!kRedirectModes.includes(redirect)) {
        throw new TypeError('Invalid redirect value, must be one of "follow" or "manual" ' +
          '("error" won\'t be implemented since it does not make sense at the edge; use ' +
          '"manual" and check the response status code).');
      }
      this.#redirect = redirect;
    }
    if (init.signal !== undefined) {
      if (init.signal !== null && !isAbortSignal(init.signal)) {
        throw new TypeError('Request: signal must be an AbortSignal.');
      }
      this.#signal = init.signal;
    }
    if (init.cf !== undefined) this.#cf = init.cf;
    const body = init.body;
    const hasBody = body !== undefined && body !== null;
    const fromHasBody = from !== null && bodyHasBody(from);
    // workerd's order and words: a used body is the first thing wrong with such a Request.
    if (!hasBody && fromHasBody && bodyUsable(from) !== null) {
      throw new TypeError('Cannot reconstruct a Request with a used body.');
    }
    if ((hasBody || fromHasBody) && (this.#method === 'GET' || this.#method === 'HEAD')) {
      throw new TypeError('Request with a GET or HEAD method cannot have a body.');
    }
    if (from !== null && init.headers === undefined) bodyCopyHeaders(this, from);
    if (!hasBody && fromHasBody) bodyCopy(this, from, true);
    bodyInit(this, body, init.headers);
  }

  get method() {
    return this.#method;
  }
  get url() {
    return this.#url;
  }
  get headers() {
    return bodyHeaders(this);
  }
  get redirect() {
    return this.#redirect;
  }
  get signal() {
    if (this.#signal === null) this.#signal = createAbortSignal();
    return this.#signal;
  }
  get cf() {
    return this.#cf;
  }
  get integrity() {
    this.#method; // brand check
    return '';
  }
  get keepalive() {
    this.#method; // brand check
    return false;
  }

  clone() {
    const error = bodyUsable(this);
    if (error !== null) throw error;
    const r = new Request(kInternal);
    r.#method = this.#method;
    r.#url = this.#url;
    r.#redirect = this.#redirect;
    r.#signal = this.#signal;
    r.#cf = this.#cf;
    bodyCopyHeaders(r, this, true);
    bodyCopy(r, this, false);
    return r;
  }

  [inspectSymbol]() {
    return {
      method: this.#method, url: this.#url, headers: this.headers, redirect: this.#redirect,
      bodyUsed: bodyIsUsed(this), body: bodyForInspect(this),
    };
  }

  static {
    isRequest = (o) => typeof o === 'object' && o !== null && #method in o;
    requestInternals = (r) => ({
      method: r.#method, url: r.#url, redirect: r.#redirect, signal: r.#signal,
    });
    internal.newIncomingRequest = (method, url, headers, bodySource, signal) => {
      const r = new Request(kInternal);
      r.#method = method;
      r.#url = url;
      r.#redirect = 'manual';
      r.#signal = signal === undefined ? null : signal;
      bodySetRawHeaders(r, headers, bodySource, true);
      return r;
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Response

const kNullBodyStatuses = [101, 103, 204, 205, 304];
const kRedirectStatuses = [301, 302, 303, 307, 308];
const kReasonPhraseRe = /^[\t\x20-\x7e\x80-\xff]*$/;

// Web IDL `unsigned short` conversion (wrapping, not clamping).
function toUint16(value) {
  const n = Math.trunc(Number(value));
  if (!Number.isFinite(n)) return 0;
  const m = n % 65536;
  return m < 0 ? m + 65536 : m;
}

let isResponse;
let responseFromDescriptor;
let responseForData;

class Response extends Body {
  #status = 200;
  #statusText = '';
  #type = 'default';
  #url = '';
  #redirected = false;

  constructor(body = null, init = undefined) {
    super(kInternal);
    if (body === kInternal) return;
    if (init === undefined) {
      // The common `new Response(body)`: nothing to validate, no headers to build.
      if (body !== null) bodyInit(this, body, undefined);
      return;
    }
    init = dictionary(init, 'Response');
    this.#init(init, body, undefined);
  }

  // Shared by the constructor and Response.json(): `json` is the serialized body, if any.
  #init(init, body, json) {
    if (init.status !== undefined) {
      const status = toUint16(init.status);
      if (status < 200 || status > 599) {
        throw new RangeError(
          `Response status must be between 200 and 599 inclusive, not ${status}.`);
      }
      this.#status = status;
    }
    if (init.statusText !== undefined) {
      const statusText = `${init.statusText}`;
      if (!kReasonPhraseRe.test(statusText)) throw new TypeError('Invalid statusText.');
      this.#statusText = statusText;
    }
    const hasBody = json !== undefined || (body !== null && body !== undefined);
    if (hasBody && kNullBodyStatuses.includes(this.#status)) {
      // workerd's words, which list the statuses rather than the one given.
      throw new TypeError(
        'Response with null body status (101, 204, 205, or 304) cannot have a body.');
    }
    if (json === undefined) bodyInit(this, body, init.headers);
    else bodyInit(this, json, init.headers, 'application/json');
  }

  get type() {
    return this.#type;
  }
  get url() {
    return this.#url;
  }
  get redirected() {
    return this.#redirected;
  }
  get status() {
    return this.#status;
  }
  get ok() {
    return this.#status >= 200 && this.#status <= 299;
  }
  get statusText() {
    return this.#statusText;
  }
  get headers() {
    return bodyHeaders(this);
  }

  clone() {
    const error = bodyUsable(this);
    if (error !== null) throw error;
    const r = new Response(kInternal);
    r.#status = this.#status;
    r.#statusText = this.#statusText;
    r.#type = this.#type;
    r.#url = this.#url;
    r.#redirected = this.#redirected;
    bodyCopyHeaders(r, this, true);
    bodyCopy(r, this, false);
    return r;
  }

  static json(data, init = undefined) {
    const json = JSON.stringify(data);
    if (json === undefined) {
      throw new TypeError('Response.json: the data is not JSON-serializable.');
    }
    const r = new Response(kInternal);
    r.#init(dictionary(init, 'Response.json'), null, json);
    return r;
  }

  static redirect(url, status = 302) {
    const parsed = parseURL(toUSVString(url));
    if (parsed === null) throw new TypeError(`Response.redirect: invalid URL "${url}".`);
    status = toUint16(status);
    if (!kRedirectStatuses.includes(status)) {
      throw new RangeError(`Response.redirect: invalid redirect status ${status}.`);
    }
    const r = new Response(kInternal);
    r.#status = status;
    bodySetRawHeaders(r, [['location', parsed.href]], null, true);
    return r;
  }

  static error() {
    const r = new Response(kInternal);
    r.#status = 0;
    r.#type = 'error';
    bodySetRawHeaders(r, [], null, true);
    return r;
  }

  [inspectSymbol]() {
    return {
      status: this.#status, statusText: this.#statusText, headers: this.headers, ok: this.ok,
      redirected: this.#redirected, url: this.#url, bodyUsed: bodyIsUsed(this),
      body: bodyForInspect(this),
    };
  }

  static {
    isResponse = (o) => typeof o === 'object' && o !== null && #status in o;
    // Builds the Response for a response descriptor from C++.
    responseForData = ({ mimeType, body }, url) => {
      const r = new Response(body, { headers: { 'content-type': mimeType } });
      const hash = url.indexOf('#');
      r.#url = hash === -1 ? url : url.slice(0, hash);
      return r;
    };
    responseFromDescriptor = (desc, requestURL, source) => {
      const r = new Response(kInternal);
      r.#status = desc.status;
      r.#statusText = desc.statusText === undefined ? '' : desc.statusText;
      r.#url = desc.url ? desc.url : requestURL;
      r.#redirected = desc.redirected === undefined ? r.#url !== requestURL : !!desc.redirected;
      r.#type = 'basic';
      bodySetRawHeaders(r, desc.headers, source, true);
      return r;
    };
    internal.prepareResponse = (value) => {
      if (!isResponse(value)) {
        throw new TypeError('Incorrect type for Promise: the Promise did not resolve to ' +
          "'Response'.");
      }
      const error = bodyUsable(value);
      if (error !== null) throw error;
      return {
        status: value.#status,
        statusText: value.#statusText,
        headers: bodyHeadersList(value),
        body: bodyTake(value, false),
      };
    };
  }
}

// ---------------------------------------------------------------------------------------------
// fetch() and Fetchers

// Cancels a native body source nobody will read, without leaving a rejection unhandled.
function discardSource(source, reason) {
  try {
    markHandled(PromiseResolve(source.cancel(reason)));
  } catch {
    // Nothing more can be done about a source that fails to cancel.
  }
}

// A body source that stops producing once `signal` aborts, as fetch() bodies must.
function abortableSource(source, signal) {
  return {
    read() {
      if (signal.aborted) {
        discardSource(source, signal.reason);
        return PromiseReject(signal.reason);
      }
      return source.read();
    },
    cancel(reason) {
      return source.cancel(reason);
    },
  };
}

const kMaxRedirects = 20;

function headerValue(list, name) {
  for (const [key, value] of list) {
    if (key.toLowerCase() === name) return value;
  }
  return null;
}

// Sends `req` and, with redirect "follow", every hop of a redirect chain (each a new request
// through the same `send`, so a dynamic worker's gateway sees them all), as workerd does: at most
// 20 redirects; 303 (and 301/302 of a POST) become a body-less GET; a 307/308 sends the body
// again unless it was a stream; Authorization is dropped when the origin changes. Resolves to
// the last response descriptor, or null if `stopped()` (aborted) between hops.
function sendFollowing(send, req, oneTime, stopped) {
  const urls = [req.url];
  const hop = (current) => then(send(current), (desc) => {
    if (current.redirect !== 'follow' || !kRedirectStatuses.includes(desc.status)) return desc;
    const location = headerValue(desc.headers, 'location');
    if (location === null) return desc;
    if (desc.body !== undefined && desc.body !== null) discardSource(desc.body, undefined);
    const target = parseURL(location, current.url);
    if (target === null || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
      throw new TypeError('Invalid Location header; unable to follow redirect.');
    }
    if (urls.length > kMaxRedirects) throw new TypeError(`Too many redirects.${urls.join(', ')}`);
    target.hash = '';
    const next = { ...current, url: target.href };
    const toGet = desc.status === 303 ? current.method !== 'GET' && current.method !== 'HEAD'
      : (desc.status === 301 || desc.status === 302) && current.method === 'POST';
    if (toGet) {
      next.method = 'GET';
      next.body = null;
    } else if (current.body !== null && oneTime) {
      throw new TypeError('A request with a one-time-use body (it was initialized from a ' +
        'stream, not a buffer) encountered a redirect requiring the body to be retransmitted. ' +
        'To avoid this error in the future, construct this request from a buffer-like body ' +
        'initializer.');
    }
    if (parseURL(current.url).origin !== target.origin) {
      next.headers = current.headers.filter(([key]) => key.toLowerCase() !== 'authorization');
    }
    urls.push(next.url);
    if (stopped()) return null;
    return then(hop(next), (last) => {
      if (last !== null) last.redirected = true;
      return last;
    });
  });
  return hop(req);
}

// Sends `request` through `send(requestDescriptor) → Promise<responseDescriptor>`.
function fetchVia(request, send) {
  const { method, url: fullURL, redirect, signal } = requestInternals(request);
  // Fragments are never sent; the first '#' of a serialized URL always starts the fragment.
  const hash = fullURL.indexOf('#');
  const url = hash === -1 ? fullURL : fullURL.slice(0, hash);
  if (signal !== null && signal.aborted) return PromiseReject(signal.reason);
  const unusable = bodyUsable(request);
  if (unusable !== null) return PromiseReject(unusable);
  const headers = bodyHeadersList(request);
  return new Promise((resolve, reject) => {
    let settled = false;
    let removeAbort = null;
    const finish = () => {
      settled = true;
      if (removeAbort !== null) removeAbort();
    };
    // With a signal, aborting also drops the subrequest in flight (natives.cancelFetch).
    const cancel = signal === null ? undefined : natives.newFetchCancel();
    if (signal !== null) {
      removeAbort = addAbortAlgorithm(signal, (reason) => {
        if (settled) return;
        settled = true;
        natives.cancelFetch(cancel);
        reject(reason);
      });
    }
    const oneTime = bodyIsOneTime(request);
    const sent = then(bodyTakeForFetch(request), (body) => {
      if (settled) return;
      return then(sendFollowing(send, { method, url, headers, body, redirect, cancel }, oneTime,
        () => settled), (desc) => {
        if (desc === null) return;  // Aborted between two hops.
        let source = desc.body === undefined ? null : desc.body;
        // HEAD responses and null-body statuses have no body, whatever the wire said.
        if (source !== null && (method === 'HEAD' || kNullBodyStatuses.includes(desc.status))) {
          discardSource(source, undefined);
          source = null;
        }
        if (settled) {
          if (source !== null) discardSource(source, signal === null ? undefined : signal.reason);
          return;
        }
        finish();
        resolve(responseFromDescriptor(desc, url,
          source !== null && signal !== null ? abortableSource(source, signal) : source));
      });
    });
    then(sent, undefined, (e) => {
      if (settled) return;
      finish();
      reject(e);
    });
  });
}

function fetch(input, init = undefined) {
  let request;
  try {
    requireArgs(arguments.length, 1, 'fetch');
    request = new Request(input, init);
  } catch (e) {
    return PromiseReject(e);
  }
  // Workers fetches over HTTP(S) and answers data: URLs itself; other schemes (file:, blob:)
  // are refused up front.
  const { url, signal } = requestInternals(request);
  if (url.startsWith('data:')) {
    if (signal !== null && signal.aborted) return PromiseReject(signal.reason);
    const data = internal.processDataURL(url);
    if (data === null) return PromiseReject(new TypeError(`Fetch API cannot load: ${url}`));
    return PromiseResolve(responseForData(data, url));
  }
  const http = url[0] === 'h' && url[1] === 't' && url[2] === 't' && url[3] === 'p' &&
    (url[4] === ':' || (url[4] === 's' && url[5] === ':'));
  if (!http) {
    return PromiseReject(new TypeError(`Fetch API cannot load: ${url}`));
  }
  return fetchVia(request, (desc) => natives.outboundFetch(desc));
}

class Fetcher {
  #handle;
  constructor(key, handle) {
    if (key !== kInternal) throw new TypeError('Illegal constructor.');
    this.#handle = handle;
  }
  fetch(input, init = undefined) {
    let request;
    try {
      requireArgs(arguments.length, 1, 'Fetcher.fetch');
      request = new Request(input, init);
    } catch (e) {
      return PromiseReject(e);
    }
    const handle = this.#handle;
    return fetchVia(request, (desc) => handle.fetch(desc));
  }
}

finishClass(Body);
finishClass(Request);
finishClass(Response);
finishClass(Fetcher);

internal.Request = Request;
internal.Response = Response;
internal.fetch = fetch;
internal.isRequest = isRequest;
internal.isResponse = isResponse;
internal.makeFetcher = (handle) => new Fetcher(kInternal, handle);
internal.fetchVia = fetchVia;

internal.defineGlobal('Request', Request);
internal.defineGlobal('Response', Response);
internal.defineGlobal('fetch', fetch);
