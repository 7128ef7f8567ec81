// data: URLs for fetch(), as the Fetch standard's "data: URL processor" reads them (workerd
// answers them too), with the MIME Sniffing standard's parser and serializer for their type.
// Evaluated after url.js, before http.js.

const kHttpWhitespace = /^[\t\n\r ]+|[\t\n\r ]+$/g;
const kAsciiWhitespace = /^[\t\n\f\r ]+|[\t\n\f\r ]+$/g;
const kToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const kQuotedStringToken = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;

// MIME Sniffing's "parse a MIME type": {type, subtype, params} (lowercased names), or null.
// keepUnclosed: keep a parameter whose quoted value never closes, as workerd's Content-Type
// parser does (formData() reads its boundary that way).
function parseMime(input, keepUnclosed = false) {
  const s = input.replace(kHttpWhitespace, '');
  let pos = s.indexOf('/');
  if (pos === -1) return null;
  const type = s.slice(0, pos);
  if (!kToken.test(type)) return null;
  pos++;
  let semi = s.indexOf(';', pos);
  if (semi === -1) semi = s.length;
  const subtype = s.slice(pos, semi).replace(/[\t\n\r ]+$/, '');
  if (!kToken.test(subtype)) return null;
  const mime = { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params: new Map() };
  pos = semi;
  while (pos < s.length) {
    pos++;  // Past ';'.
    while (pos < s.length && '\t\n\r '.includes(s[pos])) pos++;
    let end = pos;
    while (end < s.length && s[end] !== ';' && s[end] !== '=') end++;
    const name = s.slice(pos, end).toLowerCase();
    pos = end;
    if (pos < s.length) {
      if (s[pos] === ';') continue;
      pos++;  // Past '='.
    }
    if (pos >= s.length) break;
    let value;
    if (s[pos] === '"') {
      let closed;
      [value, pos, closed] = collectQuoted(s, pos);
      while (pos < s.length && s[pos] !== ';') pos++;
      // WPT's data-urls.json drops a parameter whose quoted value never closes
      // (`data:text/plain;a=",",X` is text/plain), where workerd keeps it as a="".
      if (!closed && !keepUnclosed) continue;
    } else {
      end = s.indexOf(';', pos);
      if (end === -1) end = s.length;
      value = s.slice(pos, end).replace(/[\t\n\r ]+$/, '');
      pos = end;
      if (value === '') continue;
    }
    if (name !== '' && kToken.test(name) && kQuotedStringToken.test(value) &&
        !mime.params.has(name)) {
      mime.params.set(name, value);
    }
  }
  return mime;
}

// Fetch's "collect an HTTP quoted string" with extract-value: [value, position after it,
// whether the closing quote was found].
function collectQuoted(s, pos) {
  let value = '';
  pos++;  // Past the opening quote.
  for (;;) {
    let end = pos;
    while (end < s.length && s[end] !== '"' && s[end] !== '\\') end++;
    value += s.slice(pos, end);
    pos = end;
    if (pos >= s.length) return [value, pos, false];
    const c = s[pos++];
    if (c === '\\') {
      if (pos >= s.length) return [`${value}\\`, pos, false];
      value += s[pos++];
    } else {
      return [value, pos, true];
    }
  }
}

function serializeMime(mime) {
  let out = `${mime.type}/${mime.subtype}`;
  for (const [name, value] of mime.params) {
    const v = value !== '' && kToken.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
    out += `;${name}=${v}`;
  }
  return out;
}

function percentDecode(text) {
  const bytes = natives.utf8Encode(text);
  const out = new Uint8Array(bytes.length);
  const hex = (b) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25 && i + 2 < bytes.length && hex(bytes[i + 1]) && hex(bytes[i + 2])) {
      out[n++] = parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16);
      i += 2;
    } else {
      out[n++] = bytes[i];
    }
  }
  return out.subarray(0, n);
}

const kBase64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Infra's "forgiving-base64 decode" of bytes read as Latin-1; null on failure.
function forgivingBase64(bytes) {
  let s = '';
  for (const b of bytes) {
    if (b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x20) s += String.fromCharCode(b);
  }
  if (s.length % 4 === 0) s = s.replace(/={1,2}$/, '');
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) return null;
  const out = new Uint8Array(Math.floor(s.length * 3 / 4));
  let bits = 0;
  let count = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    bits = (bits << 6) | kBase64.indexOf(s[i]);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[n++] = (bits >> count) & 0xff;
    }
  }
  return out.subarray(0, n);
}

// The data: URL processor: {mimeType (serialized), body (bytes)}, or null for a network error.
// `href` is a parsed URL's serialization.
function processDataURL(href) {
  const hash = href.indexOf('#');
  const input = (hash === -1 ? href : href.slice(0, hash)).slice('data:'.length);
  const comma = input.indexOf(',');
  if (comma === -1) return null;
  let mimeType = input.slice(0, comma).replace(kAsciiWhitespace, '');
  let body = percentDecode(input.slice(comma + 1));
  // Exactly ";base64" at the end: the standard once allowed spaces before "base64"; WPT (and
  // browsers) no longer do (`data:; base64,WA` is text "WA"), where workerd still decodes it.
  const base64 = /;base64$/i.exec(mimeType);
  if (base64 !== null) {
    body = forgivingBase64(body);
    if (body === null) return null;
    mimeType = mimeType.slice(0, base64.index);
  }
  if (mimeType.startsWith(';')) mimeType = `text/plain${mimeType}`;
  const parsed = parseMime(mimeType);
  return {
    mimeType: parsed === null ? 'text/plain;charset=US-ASCII' : serializeMime(parsed),
    body,
  };
}

internal.processDataURL = processDataURL;
internal.parseMime = parseMime;
