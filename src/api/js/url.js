// URL and URLSearchParams, following the WHATWG URL Standard (https://url.spec.whatwg.org/).
//
// The parser is the standard's state machine run over code points. A URL record is a plain
// object {scheme, username, password, host, port, path, query, fragment} where host is already
// serialized (a domain, "[v6]", dotted IPv4, an opaque host, "" for the empty host, or null) and
// path is an array of segments, or a string for URLs with an opaque path (mailto:, data:, ...).

const { finishClass, requireArgs } = internal;
const ReflectApply = Reflect.apply;
const ArrayFrom = Array.from;

// Web IDL USVString: ToString (throws on symbols), then lone surrogates become U+FFFD.
function toUSVString(value) {
  const s = `${value}`;
  if (!/[\ud800-\udfff]/.test(s)) return s;
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd');
}
internal.toUSVString = toUSVString;

const specialSchemes = new Map([
  ['ftp', 21], ['file', null], ['http', 80], ['https', 443], ['ws', 80], ['wss', 443],
]);

function isSpecial(url) {
  return specialSchemes.has(url.scheme);
}

function defaultPort(scheme) {
  const port = specialSchemes.get(scheme);
  return port === undefined ? null : port;
}

const {
  percentEncode, percentDecodeToString, C0_CONTROL_SET, FRAGMENT_SET, QUERY_SET,
  SPECIAL_QUERY_SET, PATH_SET, USERINFO_SET, FORM_SET,
} = internal.percentEncoding;

const { parseHost } = internal.urlHost;

// ---------------------------------------------------------------------------------------------
// The basic URL parser

// Parser states, named as in the standard.
const [
  SCHEME_START, SCHEME, NO_SCHEME, SPECIAL_RELATIVE_OR_AUTHORITY, PATH_OR_AUTHORITY, RELATIVE,
  RELATIVE_SLASH, SPECIAL_AUTHORITY_SLASHES, SPECIAL_AUTHORITY_IGNORE_SLASHES, AUTHORITY, HOST,
  HOSTNAME, PORT, FILE, FILE_SLASH, FILE_HOST, PATH_START, PATH, OPAQUE_PATH, QUERY, FRAGMENT,
] = Array.from({ length: 21 }, (_, i) => i + 1);

function newRecord() {
  return {
    scheme: '', username: '', password: '', host: null, port: null, path: [], query: null,
    fragment: null,
  };
}

const isAlpha = (c) => c !== undefined && /^[A-Za-z]$/.test(c);
const isWindowsDriveLetter = (s) =>
  s.length === 2 && isAlpha(s[0]) && (s[1] === ':' || s[1] === '|');
const isNormalizedWindowsDriveLetter = (s) => isWindowsDriveLetter(s) && s[1] === ':';

// Whether the code points from `i` on start with a Windows drive letter.
function startsWithDriveLetter(cps, i) {
  if (cps.length - i < 2) return false;
  if (!isAlpha(cps[i]) || (cps[i + 1] !== ':' && cps[i + 1] !== '|')) return false;
  if (cps.length - i === 2) return true;
  const c = cps[i + 2];
  return c === '/' || c === '\\' || c === '?' || c === '#';
}

function isSingleDot(s) {
  return s === '.' || s.toLowerCase() === '%2e';
}

function isDoubleDot(s) {
  switch (s.toLowerCase()) {
    case '..': case '.%2e': case '%2e.': case '%2e%2e': return true;
    default: return false;
  }
}

// Whether c ends the authority, host or port part.
function endsAuthority(c, url) {
  return c === undefined || c === '/' || c === '?' || c === '#' || (c === '\\' && isSpecial(url));
}

function startQueryOrFragment(url, c) {
  if (c === '?') {
    url.query = '';
    return QUERY;
  }
  url.fragment = '';
  return FRAGMENT;
}

function copyAuthority(url, base) {
  url.username = base.username;
  url.password = base.password;
  url.host = base.host;
  url.port = base.port;
}

function shortenPath(url) {
  const path = url.path;
  if (url.scheme === 'file' && path.length === 1 && isNormalizedWindowsDriveLetter(path[0])) {
    return;
  }
  path.pop();
}

// With `url` and `stateOverride` this is the setter form: it modifies `url` in place and its
// result only matters as null (failure). Otherwise it returns a new record or null.
function basicParse(input, base = null, url = null, stateOverride = 0) {
  if (url === null) {
    url = newRecord();
    input = input.replace(/^[\0-\x20]+|[\0-\x20]+$/g, '');
  }
  input = input.replace(/[\t\n\r]/g, '');
  const cps = ArrayFrom(input);
  let state = stateOverride || SCHEME_START;
  let buffer = '';
  let atSignSeen = false;
  let insideBrackets = false;
  let passwordTokenSeen = false;

  for (let p = 0; p <= cps.length; p++) {
    const c = cps[p]; // undefined at EOF
    switch (state) {
      case SCHEME_START:
        if (isAlpha(c)) {
          buffer += c.toLowerCase();
          state = SCHEME;
        } else if (!stateOverride) {
          state = NO_SCHEME;
          p--;
        } else {
          return null;
        }
        break;

      case SCHEME:
        if (c !== undefined && /^[A-Za-z0-9+\-.]$/.test(c)) {
          buffer += c.toLowerCase();
        } else if (c === ':') {
          if (stateOverride) {
            if (isSpecial(url) !== specialSchemes.has(buffer)) return url;
            if ((url.username !== '' || url.password !== '' || url.port !== null) &&
                buffer === 'file') {
              return url;
            }
            if (url.scheme === 'file' && url.host === '') return url;
          }
          url.scheme = buffer;
          if (stateOverride) {
            if (url.port === defaultPort(url.scheme)) url.port = null;
            return url;
          }
          buffer = '';
          if (url.scheme === 'file') {
            state = FILE;
          } else if (isSpecial(url) && base !== null && base.scheme === url.scheme) {
            state = SPECIAL_RELATIVE_OR_AUTHORITY;
          } else if (isSpecial(url)) {
            state = SPECIAL_AUTHORITY_SLASHES;
          } else if (cps[p + 1] === '/') {
            state = PATH_OR_AUTHORITY;
            p++;
          } else {
            url.path = '';
            state = OPAQUE_PATH;
          }
        } else if (!stateOverride) {
          buffer = '';
          state = NO_SCHEME;
          p = -1;
        } else {
          return null;
        }
        break;

      case NO_SCHEME:
        if (base === null || (typeof base.path === 'string' && c !== '#')) return null;
        if (typeof base.path === 'string') {
          url.scheme = base.scheme;
          url.path = base.path;
          url.query = base.query;
          url.fragment = '';
          state = FRAGMENT;
        } else {
          state = base.scheme === 'file' ? FILE : RELATIVE;
          p--;
        }
        break;

      case SPECIAL_RELATIVE_OR_AUTHORITY:
        if (c === '/' && cps[p + 1] === '/') {
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          p++;
        } else {
          state = RELATIVE;
          p--;
        }
        break;

      case PATH_OR_AUTHORITY:
        if (c === '/') {
          state = AUTHORITY;
        } else {
          state = PATH;
          p--;
        }
        break;

      case RELATIVE:
        url.scheme = base.scheme;
        if (c === '/' || (c === '\\' && isSpecial(url))) {
          state = RELATIVE_SLASH;
        } else {
          copyAuthority(url, base);
          url.path = base.path.slice();
          url.query = base.query;
          if (c === '?' || c === '#') {
            state = startQueryOrFragment(url, c);
          } else if (c !== undefined) {
            url.query = null;
            shortenPath(url);
            state = PATH;
            p--;
          }
        }
        break;

      case RELATIVE_SLASH:
        if (isSpecial(url) && (c === '/' || c === '\\')) {
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
        } else if (c === '/') {
          state = AUTHORITY;
        } else {
          copyAuthority(url, base);
          state = PATH;
          p--;
        }
        break;

      case SPECIAL_AUTHORITY_SLASHES:
        state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
        if (c === '/' && cps[p + 1] === '/') p++;
        else p--;
        break;

      case SPECIAL_AUTHORITY_IGNORE_SLASHES:
        if (c !== '/' && c !== '\\') {
          state = AUTHORITY;
          p--;
        }
        break;

      case AUTHORITY:
        if (c === '@') {
          if (atSignSeen) buffer = `%40${buffer}`;
          atSignSeen = true;
          for (const bc of buffer) {
            if (bc === ':' && !passwordTokenSeen) {
              passwordTokenSeen = true;
              continue;
            }
            const encoded = percentEncode(bc, USERINFO_SET);
            if (passwordTokenSeen) url.password += encoded;
            else url.username += encoded;
          }
          buffer = '';
        } else if (endsAuthority(c, url)) {
          if (atSignSeen && buffer === '') return null;
          p -= ArrayFrom(buffer).length + 1;
          buffer = '';
          state = HOST;
        } else {
          buffer += c;
        }
        break;

      case HOST:
      case HOSTNAME:
        if (stateOverride && url.scheme === 'file') {
          p--;
          state = FILE_HOST;
        } else if (c === ':' && !insideBrackets) {
          if (buffer === '') return null;
          if (stateOverride === HOSTNAME) return null;
          const host = parseHost(buffer, !isSpecial(url));
          if (host === null) return null;
          url.host = host;
          buffer = '';
          state = PORT;
        } else if (endsAuthority(c, url)) {
          p--;
          if (isSpecial(url) && buffer === '') return null;
          if (stateOverride && buffer === '' &&
              (url.username !== '' || url.password !== '' || url.port !== null)) {
            return null;
          }
          const host = parseHost(buffer, !isSpecial(url));
          if (host === null) return null;
          url.host = host;
          buffer = '';
          state = PATH_START;
          if (stateOverride) return url;
        } else {
          if (c === '[') insideBrackets = true;
          if (c === ']') insideBrackets = false;
          buffer += c;
        }
        break;

      case PORT:
        if (c !== undefined && c >= '0' && c <= '9') {
          buffer += c;
        } else if (endsAuthority(c, url) || stateOverride) {
          if (buffer !== '') {
            const port = parseInt(buffer, 10);
            if (port > 65535) return null;
            url.port = port === defaultPort(url.scheme) ? null : port;
            buffer = '';
            if (stateOverride) return url;
          }
          if (stateOverride) return null;
          state = PATH_START;
          p--;
        } else {
          return null;
        }
        break;

      case FILE:
        url.scheme = 'file';
        url.host = '';
        if (c === '/' || c === '\\') {
          state = FILE_SLASH;
        } else if (base !== null && base.scheme === 'file') {
          url.host = base.host;
          url.path = base.path.slice();
          url.query = base.query;
          if (c === '?' || c === '#') {
            state = startQueryOrFragment(url, c);
          } else if (c !== undefined) {
            url.query = null;
            if (!startsWithDriveLetter(cps, p)) shortenPath(url);
            else url.path = [];
            state = PATH;
            p--;
          }
        } else {
          state = PATH;
          p--;
        }
        break;

      case FILE_SLASH:
        if (c === '/' || c === '\\') {
          state = FILE_HOST;
        } else {
          if (base !== null && base.scheme === 'file') {
            url.host = base.host;
            if (!startsWithDriveLetter(cps, p) && base.path.length > 0 &&
                isNormalizedWindowsDriveLetter(base.path[0])) {
              url.path.push(base.path[0]);
            }
          }
          state = PATH;
          p--;
        }
        break;

      case FILE_HOST:
        if (c === undefined || c === '/' || c === '\\' || c === '?' || c === '#') {
          p--;
          if (!stateOverride && isWindowsDriveLetter(buffer)) {
            // The drive letter quirk: "file://C:/" has no host; the buffer becomes the first
            // path segment, so it is deliberately not reset.
            state = PATH;
          } else if (buffer === '') {
            url.host = '';
            if (stateOverride) return url;
            state = PATH_START;
          } else {
            let host = parseHost(buffer, false);
            if (host === null) return null;
            if (host === 'localhost') host = '';
            url.host = host;
            if (stateOverride) return url;
            buffer = '';
            state = PATH_START;
          }
        } else {
          buffer += c;
        }
        break;

      case PATH_START:
        if (isSpecial(url)) {
          state = PATH;
          if (c !== '/' && c !== '\\') p--;
        } else if (!stateOverride && (c === '?' || c === '#')) {
          state = startQueryOrFragment(url, c);
        } else if (c !== undefined) {
          state = PATH;
          if (c !== '/') p--;
        } else if (stateOverride && url.host === null) {
          url.path.push('');
        }
        break;

      case PATH:
        if (c === undefined || c === '/' || (c === '\\' && isSpecial(url)) ||
            (!stateOverride && (c === '?' || c === '#'))) {
          const slash = c === '/' || (c === '\\' && isSpecial(url));
          if (isDoubleDot(buffer)) {
            shortenPath(url);
            if (!slash) url.path.push('');
          } else if (isSingleDot(buffer)) {
            if (!slash) url.path.push('');
          } else {
            if (url.scheme === 'file' && url.path.length === 0 && isWindowsDriveLetter(buffer)) {
              buffer = `${buffer[0]}:`;
            }
            url.path.push(buffer);
          }
          buffer = '';
          if (c === '?' || c === '#') state = startQueryOrFragment(url, c);
        } else {
          buffer += percentEncode(c, PATH_SET);
        }
        break;

      case OPAQUE_PATH:
        if (c === '?' || c === '#') {
          state = startQueryOrFragment(url, c);
        } else if (c !== undefined) {
          url.path += percentEncode(c, C0_CONTROL_SET);
        }
        break;

      case QUERY:
        if ((!stateOverride && c === '#') || c === undefined) {
          url.query += percentEncode(buffer, isSpecial(url) ? SPECIAL_QUERY_SET : QUERY_SET);
          buffer = '';
          if (c === '#') state = startQueryOrFragment(url, c);
        } else {
          buffer += c;
        }
        break;

      case FRAGMENT:
        if (c !== undefined) url.fragment += percentEncode(c, FRAGMENT_SET);
        break;

      default:
        throw new Error(`unreachable URL parser state ${state}`);
    }
  }
  return url;
}

function serializePath(url) {
  if (typeof url.path === 'string') return url.path;
  let out = '';
  for (const segment of url.path) out += `/${segment}`;
  return out;
}

function serializeURL(url, excludeFragment = false) {
  let out = `${url.scheme}:`;
  if (url.host !== null) {
    out += '//';
    if (url.username !== '' || url.password !== '') {
      out += url.username;
      if (url.password !== '') out += `:${url.password}`;
      out += '@';
    }
    out += url.host;
    if (url.port !== null) out += `:${url.port}`;
  } else if (typeof url.path !== 'string' && url.path.length > 1 && url.path[0] === '') {
    // Keeps "web+demo:/.//not-a-host/" from reparsing with "not-a-host" as its host.
    out += '/.';
  }
  out += serializePath(url);
  if (url.query !== null) out += `?${url.query}`;
  if (!excludeFragment && url.fragment !== null) out += `#${url.fragment}`;
  return out;
}

function serializeOrigin(url) {
  switch (url.scheme) {
    case 'blob': {
      const inner = basicParse(serializePath(url));
      if (inner !== null && (inner.scheme === 'http' || inner.scheme === 'https')) {
        return serializeOrigin(inner);
      }
      return 'null';
    }
    case 'ftp': case 'http': case 'https': case 'ws': case 'wss':
      return `${url.scheme}://${url.host}${url.port === null ? '' : `:${url.port}`}`;
    default:
      return 'null';
  }
}

function cannotHaveCredentialsOrPort(url) {
  return url.host === null || url.host === '' || url.scheme === 'file';
}

function stripTrailingSpacesFromOpaquePath(url) {
  if (typeof url.path !== 'string' || url.fragment !== null || url.query !== null) return;
  url.path = url.path.replace(/ +$/, '');
}

// ---------------------------------------------------------------------------------------------
// application/x-www-form-urlencoded

function parseFormEncoded(input) {
  const list = [];
  for (const sequence of input.split('&')) {
    if (sequence === '') continue;
    const eq = sequence.indexOf('=');
    const name = eq === -1 ? sequence : sequence.slice(0, eq);
    const value = eq === -1 ? '' : sequence.slice(eq + 1);
    list.push([percentDecodeToString(name.replace(/\+/g, ' ')),
      percentDecodeToString(value.replace(/\+/g, ' '))]);
  }
  return list;
}

function serializeFormEncoded(list) {
  let out = '';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += '&';
    out += `${percentEncode(list[i][0], FORM_SET, true)}=` +
      percentEncode(list[i][1], FORM_SET, true);
  }
  return out;
}
internal.parseFormEncoded = parseFormEncoded;
internal.serializeFormEncoded = serializeFormEncoded;

// ---------------------------------------------------------------------------------------------
// URLSearchParams

let paramsState;

class URLSearchParams {
  #list = [];
  // The URL object this belongs to (its searchParams), kept in sync in both directions.
  #url = null;

  constructor(init = '') {
    if (init !== null && (typeof init === 'object' || typeof init === 'function')) {
      const iteratorMethod = init[Symbol.iterator];
      if (iteratorMethod !== undefined && iteratorMethod !== null) {
        if (typeof iteratorMethod !== 'function') {
          throw new TypeError("Failed to construct 'URLSearchParams': " +
            'The object must have a callable @@iterator property.');
        }
        for (const pair of { [Symbol.iterator]: () => ReflectApply(iteratorMethod, init, []) }) {
          if (pair === null || (typeof pair !== 'object' && typeof pair !== 'function')) {
            throw new TypeError("Failed to construct 'URLSearchParams': " +
              'Each query pair must be an iterable [name, value] tuple.');
          }
          const items = [...pair];
          if (items.length !== 2) {
            throw new TypeError("Failed to construct 'URLSearchParams': " +
              'Each query pair must be an iterable [name, value] tuple.');
          }
          this.#list.push([toUSVString(items[0]), toUSVString(items[1])]);
        }
      } else {
        // A record<USVString, USVString>: own enumerable properties, in property order.
        for (const key of Reflect.ownKeys(init)) {
          const desc = Reflect.getOwnPropertyDescriptor(init, key);
          if (desc === undefined || !desc.enumerable) continue;
          const name = toUSVString(key);
          const value = toUSVString(init[key]);
          const existing = this.#list.find((entry) => entry[0] === name);
          if (existing) existing[1] = value;
          else this.#list.push([name, value]);
        }
      }
    } else {
      let query = toUSVString(init);
      if (query[0] === '?') query = query.slice(1);
      this.#list = parseFormEncoded(query);
    }
  }

  get size() { return this.#list.length; }

  append(name, value) {
    requireArgs(arguments.length, 2, "Failed to execute 'append' on 'URLSearchParams'");
    this.#list.push([toUSVString(name), toUSVString(value)]);
    this.#update();
  }

  delete(name, value = undefined) {
    requireArgs(arguments.length, 1, "Failed to execute 'delete' on 'URLSearchParams'");
    name = toUSVString(name);
    if (value === undefined) {
      this.#list = this.#list.filter((entry) => entry[0] !== name);
    } else {
      value = toUSVString(value);
      this.#list = this.#list.filter((entry) => entry[0] !== name || entry[1] !== value);
    }
    this.#update();
  }

  get(name) {
    requireArgs(arguments.length, 1, "Failed to execute 'get' on 'URLSearchParams'");
    name = toUSVString(name);
    const entry = this.#list.find((e) => e[0] === name);
    return entry === undefined ? null : entry[1];
  }

  getAll(name) {
    requireArgs(arguments.length, 1, "Failed to execute 'getAll' on 'URLSearchParams'");
    name = toUSVString(name);
    return this.#list.filter((e) => e[0] === name).map((e) => e[1]);
  }

  has(name, value = undefined) {
    requireArgs(arguments.length, 1, "Failed to execute 'has' on 'URLSearchParams'");
    name = toUSVString(name);
    if (value === undefined) return this.#list.some((e) => e[0] === name);
    value = toUSVString(value);
    return this.#list.some((e) => e[0] === name && e[1] === value);
  }

  set(name, value) {
    requireArgs(arguments.length, 2, "Failed to execute 'set' on 'URLSearchParams'");
    name = toUSVString(name);
    value = toUSVString(value);
    // The first pair with that name takes the value; the others go.
    let found = false;
    const list = [];
    for (const entry of this.#list) {
      if (entry[0] !== name) {
        list.push(entry);
      } else if (!found) {
        found = true;
        list.push([name, value]);
      }
    }
    if (!found) list.push([name, value]);
    this.#list = list;
    this.#update();
  }

  sort() {
    // Array.prototype.sort is stable, and < on strings compares UTF-16 code units, which is
    // exactly the order the standard asks for.
    this.#list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.#update();
  }

  forEach(callback, thisArg = undefined) {
    requireArgs(arguments.length, 1, "Failed to execute 'forEach' on 'URLSearchParams'");
    if (typeof callback !== 'function') {
      throw new TypeError("Failed to execute 'forEach' on 'URLSearchParams': " +
        "parameter 1 is not of type 'Function'.");
    }
    // Indexes into the live list, so changes made by the callback are seen (as in browsers).
    for (let i = 0; i < this.#list.length; i++) {
      const [name, value] = this.#list[i];
      ReflectApply(callback, thisArg, [value, name, this]);
    }
  }

  keys() { return new URLSearchParamsIterator(this, 'key'); }

  values() { return new URLSearchParamsIterator(this, 'value'); }

  entries() { return new URLSearchParamsIterator(this, 'key+value'); }

  toString() { return serializeFormEncoded(this.#list); }

  #update() {
    if (this.#url === null) return;
    const query = serializeFormEncoded(this.#list);
    urlState.setQuery(this.#url, query === '' ? null : query);
  }

  static {
    paramsState = {
      list: (params) => params.#list,
      // Used by URL: bind a fresh URLSearchParams to its URL, or reset its list after the URL's
      // query changed through a URL setter.
      attach(params, url, query) {
        params.#url = url;
        params.#list = query === null ? [] : parseFormEncoded(query);
      },
    };
  }
}

const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

class URLSearchParamsIterator {
  #params;
  #kind;
  #index = 0;

  constructor(params, kind) {
    this.#params = params;
    this.#kind = kind;
  }

  next() {
    const list = paramsState.list(this.#params);
    if (this.#index >= list.length) return { value: undefined, done: true };
    const [name, value] = list[this.#index++];
    const result = this.#kind === 'key' ? name : this.#kind === 'value' ? value : [name, value];
    return { value: result, done: false };
  }
}
Object.setPrototypeOf(URLSearchParamsIterator.prototype, IteratorPrototype);
finishClass(URLSearchParamsIterator, 'URLSearchParams Iterator');

finishClass(URLSearchParams);
Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
  value: URLSearchParams.prototype.entries, writable: true, configurable: true, enumerable: false,
});

// ---------------------------------------------------------------------------------------------
// URL

function invalidURL(input) {
  return new TypeError(`Invalid URL: ${input}`);
}

function parseWithBase(url, base) {
  let baseRecord = null;
  if (base !== undefined) {
    baseRecord = basicParse(toUSVString(base));
    if (baseRecord === null) return null;
  }
  return basicParse(url, baseRecord);
}

let urlState;

class URL {
  #url;
  #searchParams = null;

  constructor(url, base = undefined) {
    requireArgs(arguments.length, 1, "Failed to construct 'URL'");
    url = toUSVString(url);
    const record = parseWithBase(url, base);
    if (record === null) throw invalidURL(url);
    this.#url = record;
  }

  static canParse(url, base = undefined) {
    requireArgs(arguments.length, 1, "Failed to execute 'canParse' on 'URL'");
    return parseWithBase(toUSVString(url), base) !== null;
  }

  static parse(url, base = undefined) {
    requireArgs(arguments.length, 1, "Failed to execute 'parse' on 'URL'");
    const record = parseWithBase(toUSVString(url), base);
    if (record === null) return null;
    const result = new URL('about:blank');
    result.#url = record;
    return result;
  }

  get href() { return serializeURL(this.#url); }

  // Setters run the parser on the URL record in place with a state override. The host, hostname
  // and port ones can fail half-way (a valid host followed by a bad port, say); the standard
  // keeps whatever was set before the failure, and so does parsing in place.
  set href(value) {
    value = toUSVString(value);
    const record = basicParse(value);
    if (record === null) throw invalidURL(value);
    this.#url = record;
    this.#querySetFromURL();
  }

  get origin() { return serializeOrigin(this.#url); }

  get protocol() { return `${this.#url.scheme}:`; }
  set protocol(value) {
    basicParse(`${toUSVString(value)}:`, null, this.#url, SCHEME_START);
  }

  get username() { return this.#url.username; }
  set username(value) {
    value = toUSVString(value);
    if (cannotHaveCredentialsOrPort(this.#url)) return;
    this.#url.username = percentEncode(value, USERINFO_SET);
  }

  get password() { return this.#url.password; }
  set password(value) {
    value = toUSVString(value);
    if (cannotHaveCredentialsOrPort(this.#url)) return;
    this.#url.password = percentEncode(value, USERINFO_SET);
  }

  get host() {
    const url = this.#url;
    if (url.host === null) return '';
    return url.port === null ? url.host : `${url.host}:${url.port}`;
  }

  set host(value) {
    value = toUSVString(value);
    if (typeof this.#url.path === 'string') return;
    basicParse(value, null, this.#url, HOST);
  }

  get hostname() { return this.#url.host === null ? '' : this.#url.host; }
  set hostname(value) {
    value = toUSVString(value);
    if (typeof this.#url.path === 'string') return;
    basicParse(value, null, this.#url, HOSTNAME);
  }

  get port() { return this.#url.port === null ? '' : `${this.#url.port}`; }
  set port(value) {
    value = toUSVString(value);
    if (cannotHaveCredentialsOrPort(this.#url)) return;
    if (value === '') this.#url.port = null;
    else basicParse(value, null, this.#url, PORT);
  }

  get pathname() { return serializePath(this.#url); }
  set pathname(value) {
    value = toUSVString(value);
    if (typeof this.#url.path === 'string') return;
    this.#url.path = [];
    basicParse(value, null, this.#url, PATH_START);
  }

  get search() {
    const query = this.#url.query;
    return query === null || query === '' ? '' : `?${query}`;
  }

  set search(value) {
    value = toUSVString(value);
    const url = this.#url;
    if (value === '') {
      url.query = null;
      stripTrailingSpacesFromOpaquePath(url);
    } else {
      const input = value[0] === '?' ? value.slice(1) : value;
      url.query = '';
      basicParse(input, null, url, QUERY);
    }
    this.#querySetFromURL();
  }

  get searchParams() {
    if (this.#searchParams === null) {
      this.#searchParams = new URLSearchParams();
      paramsState.attach(this.#searchParams, this, this.#url.query);
    }
    return this.#searchParams;
  }

  get hash() {
    const fragment = this.#url.fragment;
    return fragment === null || fragment === '' ? '' : `#${fragment}`;
  }

  set hash(value) {
    value = toUSVString(value);
    const url = this.#url;
    if (value === '') {
      url.fragment = null;
      stripTrailingSpacesFromOpaquePath(url);
      return;
    }
    url.fragment = '';
    basicParse(value[0] === '#' ? value.slice(1) : value, null, url, FRAGMENT);
  }

  toString() { return serializeURL(this.#url); }

  toJSON() { return serializeURL(this.#url); }

  #querySetFromURL() {
    if (this.#searchParams !== null) {
      paramsState.attach(this.#searchParams, this, this.#url.query);
    }
  }

  static {
    urlState = {
      setQuery(url, query) {
        url.#url.query = query;
        if (query === null) stripTrailingSpacesFromOpaquePath(url.#url);
      },
      record: (url) => url.#url,
      isURL: (value) => value !== null && typeof value === 'object' && #url in value,
    };
  }
}
finishClass(URL);

internal.inspectHooks.set(URLSearchParams.prototype, (params) => new Map(paramsState.list(params)));
internal.inspectHooks.set(URL.prototype, (url) => ({
  href: url.href, origin: url.origin, protocol: url.protocol, username: url.username,
  password: url.password, host: url.host, hostname: url.hostname, port: url.port,
  pathname: url.pathname, search: url.search, searchParams: url.searchParams, hash: url.hash,
}));

// For fetch and friends: parse without exceptions, and look at a URL without its getters.
internal.parseURL = (input, base) => URL.parse(input, base);
internal.isURL = (value) => urlState.isURL(value);
internal.serializeURLWithoutFragment = (url) => serializeURL(urlState.record(url), true);
internal.URL = URL;
internal.URLSearchParams = URLSearchParams;

internal.defineGlobal('URL', URL);
internal.defineGlobal('URLSearchParams', URLSearchParams);
