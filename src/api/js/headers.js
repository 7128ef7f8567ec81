// Fetch API Headers, with the helpers Request and Response use to share and freeze a header
// list. Evaluated right before http.js, which takes them from `internal.headers`.

const { finishClass, requireArgs, inspectSymbol } = internal;

const kImmutable = "Can't modify immutable headers.";

// ---------------------------------------------------------------------------------------------
// Headers. Names are stored lowercased; duplicates other than set-cookie are combined with ", "
// as they are added, which is what every getter and the iteration order would produce anyway.

const kTokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values are ByteStrings without NUL, CR or LF.
const kBadValueRe = /[\0\r\n]|[^\0-\xff]/;
const kEdgeWhitespaceRe = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function normalizeName(name) {
  name = `${name}`;
  if (!kTokenRe.test(name)) throw new TypeError(`Invalid header name: "${name}".`);
  return name.toLowerCase();
}
function normalizeValue(value) {
  value = `${value}`;
  if (value.length > 0) {
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(value.length - 1);
    if (first <= 0x20 || last <= 0x20) value = value.replace(kEdgeWhitespaceRe, '');
  }
  if (kBadValueRe.test(value)) throw new TypeError(`Invalid header value: "${value}".`);
  return value;
}

let isHeaders;
let headersList;
let headersGet;
let headersFreeze;
let headersFromList;
let sortedPairs;

class Headers {
  #map = new Map();
  #cookies = null; // set-cookie values, which are never combined
  #immutable = false;
  #sorted = null; // cached iteration order, dropped on every change

  constructor(init = undefined) {
    if (init === undefined) return;
    if (isHeaders(init)) {
      for (const [name, value] of init.#map) this.#map.set(name, value);
      if (init.#cookies !== null) this.#cookies = init.#cookies.slice();
      return;
    }
    if (init === null || (typeof init !== 'object' && typeof init !== 'function')) {
      throw new TypeError('Headers: init must be a sequence of pairs or a record.');
    }
    const iteratorMethod = init[Symbol.iterator];
    if (iteratorMethod !== undefined && iteratorMethod !== null) {
      if (typeof iteratorMethod !== 'function') {
        throw new TypeError("Headers: init's @@iterator must be callable.");
      }
      for (const pair of { [Symbol.iterator]: () => iteratorMethod.call(init) }) {
        if (pair === null || typeof pair !== 'object' ||
            typeof pair[Symbol.iterator] !== 'function') {
          throw new TypeError('Headers: each header must be a [name, value] pair.');
        }
        const items = Array.isArray(pair) ? pair : [...pair];
        if (items.length !== 2) {
          throw new TypeError('Headers: each header must be a [name, value] pair.');
        }
        this.#append(normalizeName(items[0]), normalizeValue(items[1]));
      }
    } else {
      for (const key of Reflect.ownKeys(init)) {
        const desc = Reflect.getOwnPropertyDescriptor(init, key);
        if (desc === undefined || !desc.enumerable) continue;
        this.#append(normalizeName(key), normalizeValue(init[key]));
      }
    }
  }

  #append(name, value) {
    this.#sorted = null;
    if (name === 'set-cookie') {
      if (this.#cookies === null) this.#cookies = [value];
      else this.#cookies.push(value);
      return;
    }
    const old = this.#map.get(name);
    this.#map.set(name, old === undefined ? value : `${old}, ${value}`);
  }

  #checkMutable() {
    if (this.#immutable) throw new TypeError(kImmutable);
  }

  append(name, value) {
    requireArgs(arguments.length, 2, 'Headers.append');
    name = normalizeName(name);
    value = normalizeValue(value);
    this.#checkMutable();
    this.#append(name, value);
  }

  delete(name) {
    requireArgs(arguments.length, 1, 'Headers.delete');
    name = normalizeName(name);
    this.#checkMutable();
    this.#sorted = null;
    if (name === 'set-cookie') this.#cookies = null;
    else this.#map.delete(name);
  }

  get(name) {
    requireArgs(arguments.length, 1, 'Headers.get');
    return this.#get(normalizeName(name));
  }

  #get(name) {
    if (name === 'set-cookie') return this.#cookies === null ? null : this.#cookies.join(', ');
    const value = this.#map.get(name);
    return value === undefined ? null : value;
  }

  getSetCookie() {
    return this.#cookies === null ? [] : this.#cookies.slice();
  }

  has(name) {
    requireArgs(arguments.length, 1, 'Headers.has');
    name = normalizeName(name);
    return name === 'set-cookie' ? this.#cookies !== null : this.#map.has(name);
  }

  set(name, value) {
    requireArgs(arguments.length, 2, 'Headers.set');
    name = normalizeName(name);
    value = normalizeValue(value);
    this.#checkMutable();
    this.#sorted = null;
    if (name === 'set-cookie') this.#cookies = [value];
    else this.#map.set(name, value);
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== 'function') throw new TypeError('Headers.forEach needs a function.');
    // Index-based over the current sorted list, like the iterators, so changes made by the
    // callback are seen.
    for (let i = 0; i < sortedPairs(this).length; i++) {
      const [name, value] = sortedPairs(this)[i];
      callback.call(thisArg, value, name, this);
    }
  }

  entries() {
    return new HeadersIterator(this, 2);
  }
  keys() {
    return new HeadersIterator(this, 0);
  }
  values() {
    return new HeadersIterator(this, 1);
  }

  [inspectSymbol]() {
    const out = {};
    for (const [name, value] of this.#map) out[name] = value;
    if (this.#cookies !== null) out['set-cookie'] = this.#cookies.slice();
    return out;
  }

  static {
    isHeaders = (o) => typeof o === 'object' && o !== null && #map in o;
    headersGet = (h, lowerName) => h.#get(lowerName);
    headersFreeze = (h) => {
      h.#immutable = true;
      return h;
    };
    headersList = (h) => {
      const list = [];
      for (const [name, value] of h.#map) list.push([name, value]);
      if (h.#cookies !== null) for (const value of h.#cookies) list.push(['set-cookie', value]);
      return list;
    };
    // Trusted lists from C++: names may not be lowercased, values are already valid.
    headersFromList = (list) => {
      const h = new Headers();
      for (let i = 0; i < list.length; i++) {
        h.#append(`${list[i][0]}`.toLowerCase(), `${list[i][1]}`);
      }
      return h;
    };
    sortedPairs = (h) => {
      if (h.#sorted !== null) return h.#sorted;
      const names = [...h.#map.keys()];
      if (h.#cookies !== null) names.push('set-cookie');
      names.sort();
      const pairs = [];
      for (const name of names) {
        if (name === 'set-cookie') {
          for (const value of h.#cookies) pairs.push([name, value]);
        } else {
          pairs.push([name, h.#map.get(name)]);
        }
      }
      return (h.#sorted = pairs);
    };
  }
}

const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

class HeadersIterator {
  #headers;
  #kind;
  #index = 0;
  constructor(headers, kind) {
    if (!isHeaders(headers)) throw new TypeError('Illegal invocation.');
    this.#headers = headers;
    this.#kind = kind;
  }
  next() {
    const pairs = sortedPairs(this.#headers);
    if (this.#index >= pairs.length) return { value: undefined, done: true };
    const pair = pairs[this.#index++];
    const kind = this.#kind;
    return { value: kind === 2 ? [pair[0], pair[1]] : pair[kind], done: false };
  }
}
Object.setPrototypeOf(HeadersIterator.prototype, IteratorPrototype);

finishClass(Headers);
Object.defineProperty(Headers.prototype, Symbol.iterator, {
  value: Headers.prototype.entries, writable: true, configurable: true,
});
finishClass(HeadersIterator, 'Headers Iterator');

internal.headers = { kTokenRe, headersList, headersGet, headersFreeze, headersFromList };
internal.Headers = Headers;
internal.defineGlobal('Headers', Headers);
