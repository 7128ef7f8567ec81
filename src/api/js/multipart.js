// FormData on the wire: the multipart/form-data serializer behind `new Response(formData)`, and
// the multipart/form-data and application/x-www-form-urlencoded parsers behind `formData()`.
// Both follow what workerd does byte for byte (its error messages included), except where that
// would let a body cost more than time and memory linear in its size. Evaluated after body.js
// and data-url.js (parseMime), before http.js.

const { FormData, formEntries, blobBytes, makeFile, concatBytes, parseMime } = internal;

// ---------------------------------------------------------------------------------------------
// Serialization

// Names and filenames go inside a quoted string: workerd escapes LF and '"' as %0A and %22 and
// doubles a backslash; CR, and everything in values, is written as is.
const escapeQuoted = (s) =>
  s.replace(/[\n"\\]/g, (c) => (c === '\n' ? '%0A' : c === '"' ? '%22' : '\\\\'));

// → {bytes, contentType}
function serializeMultipart(fd) {
  // 128 random bits as 32 hex digits, the shape of workerd's boundaries.
  const random = new Uint8Array(16);
  natives.getRandomValues(random);
  let boundary = '';
  for (let i = 0; i < random.length; i++) boundary += random[i].toString(16).padStart(2, '0');
  const parts = [];
  let total = 0;
  const add = (bytes) => {
    parts.push(bytes);
    total += bytes.byteLength;
  };
  for (const [name, value] of formEntries(fd)) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(name)}"`;
    if (typeof value === 'string') {
      add(natives.utf8Encode(`${head}\r\n\r\n${value}\r\n`));
    } else {
      head += `; filename="${escapeQuoted(value.name)}"\r\n` +
        `Content-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`;
      add(natives.utf8Encode(head));
      add(blobBytes(value));
      add(natives.utf8Encode('\r\n'));
    }
  }
  // No CRLF after the close delimiter: workerd ends the body there.
  add(natives.utf8Encode(`--${boundary}--`));
  return {
    bytes: concatBytes(parts, total),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data parsing
//
// The body is searched as a Latin-1 string, one character per byte, so that string offsets are
// byte offsets and V8's string search does the scanning. Every search starts where the previous
// one ended, so the whole body is scanned a bounded number of times however many parts it has,
// and only the Content-Disposition and Content-Type of a part are kept, never its other headers.

const kNoInitial = 'No initial boundary string (or you have a truncated message).';
const kNoSucceed = "Boundary string was not succeeded by CRLF, LF, or '--'.";
const kNoTermination = 'No multipart message header termination found.';
const kBadHeaders = 'FormData part had invalid headers.';
const kNoDisposition = 'No valid Content-Disposition header found in FormData part.';
const kBadDisposition = 'Invalid Content-Disposition header found in FormData part.';
const kNoName = 'Content-Disposition header in FormData part is missing a name.';
const kNoNext = 'No subsequent boundary string after multipart message.';

function latin1(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  }
  return s;
}

// HTTP token characters; header names also take any non-ASCII byte, as workerd's header parser
// does.
const kTchar = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") kTchar[c.charCodeAt(0)] = 1;
for (let c = 0; c < 256; c++) {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c >= 0x80) {
    kTchar[c] = 1;
  }
}

// Where the part's headers end: the first CRLF or LF followed by another CRLF or LF (workerd
// accepts any mix). → [end of the header text, start of the content], or null.
function findHeaderEnd(text, from) {
  for (let lf = text.indexOf('\n', from); lf !== -1; lf = text.indexOf('\n', lf + 1)) {
    const next = text.charCodeAt(lf + 1);
    let after = -1;
    if (next === 10) after = lf + 2;
    else if (next === 13 && text.charCodeAt(lf + 2) === 10) after = lf + 3;
    if (after === -1) continue;
    return [lf > from && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf, after];
  }
  return null;
}

// Joins a repeated header as an HTTP header list does ("a, b"); an empty value counts as none.
const joinHeader = (old, value) => (old === undefined || old === '' ? value : `${old}, ${value}`);

// The header lines in text[from, to) → {disposition, type} (undefined when absent), UTF-8
// decoded. Lines end in LF or CRLF; a name is a token (no space before the colon), a value
// loses its leading blanks; continuation lines, bare CRs and NULs make the headers invalid.
function parsePartHeaders(bytes, text, from, to) {
  if (from === to) throw new TypeError(kBadHeaders);
  let disposition;
  let type;
  let line = from;
  while (line <= to) {
    let eol = text.indexOf('\n', line);
    if (eol === -1 || eol > to) eol = to;
    // A CR ends a line only right before its LF; the last line has none.
    const end = eol < to && eol > line && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    let p = line;
    while (p < end && kTchar[text.charCodeAt(p)] === 1) p++;
    if (p === line || p === end || text.charCodeAt(p) !== 58) throw new TypeError(kBadHeaders);
    // Only two names matter; others are checked, never copied.
    const length = p - line;
    const name = length === 12 || length === 19 ? text.slice(line, p).toLowerCase() : '';
    p++;
    while (p < end && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    for (let i = p; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 || c === 0) throw new TypeError(kBadHeaders);
    }
    if (name === 'content-disposition' || name === 'content-type') {
      const value = natives.utf8Decode(bytes.subarray(p, end), false);
      if (name === 'content-type') type = joinHeader(type, value);
      else disposition = joinHeader(disposition, value);
    }
    line = eol + 1;
  }
  return { disposition, type };
}

// Content-Disposition's type and parameter names here are runs of [A-Za-z0-9_-].
const isWordChar = (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f;
const skipBlanks = (s, p) => {
  while (p < s.length && (s.charCodeAt(p) === 32 || s.charCodeAt(p) === 9)) p++;
  return p;
};

// "form-data; name="a"; filename="b"" → {name, filename} as workerd reads it: parameters are
// read in order until the first one that is not `; word = "non-empty quoted string"` (a
// backslash escapes the next character); a later name or filename replaces an earlier one, and
// %XX sequences are kept as they are.
function parseDisposition(value) {
  if (value === undefined || value === '') throw new TypeError(kNoDisposition);
  let p = 0;
  while (p < value.length && isWordChar(value.charCodeAt(p))) p++;
  if (p === 0) throw new TypeError(kBadDisposition);
  const kind = value.slice(0, p);
  if (kind !== 'form-data') {
    throw new TypeError('Content-Disposition header for FormData part must have the value ' +
      `"form-data", possibly followed by parameters. Got: "${kind}"`);
  }
  let name;
  let filename;
  for (;;) {
    p = skipBlanks(value, p);
    if (value.charCodeAt(p) !== 59) break;  // ';'
    p = skipBlanks(value, p + 1);
    const start = p;
    while (p < value.length && isWordChar(value.charCodeAt(p))) p++;
    if (p === start) break;
    const param = value.slice(start, p);
    p = skipBlanks(value, p);
    if (value.charCodeAt(p) !== 61) break;  // '='
    p = skipBlanks(value, p + 1);
    if (value.charCodeAt(p) !== 34) break;  // '"'
    // Copied in runs between backslashes, so a long value costs linear time.
    let text = '';
    let run = p + 1;
    let closed = false;
    for (p++; p < value.length; p++) {
      const c = value.charCodeAt(p);
      if (c === 34) {
        text += value.slice(run, p);
        closed = true;
        p++;
        break;
      }
      if (c === 92) {
        text += value.slice(run, p);
        run = p + 1;
        // The escaped character starts the next run and is not looked at.
        if (++p === value.length) break;
      }
    }
    if (!closed || text === '') break;
    if (param === 'name') name = text;
    else if (param === 'filename') filename = text;
  }
  if (name === undefined) throw new TypeError(kNoName);
  return { name, filename };
}

function parseMultipart(bytes, boundary) {
  const fd = new FormData();
  const entries = formEntries(fd);
  const text = latin1(bytes);
  // The boundary is matched as the UTF-8 bytes of the Content-Type parameter.
  const dashes = `--${latin1(natives.utf8Encode(boundary))}`;
  // The first delimiter may appear anywhere (a preamble before it is skipped); later ones must
  // start a line, though workerd does not insist on the CR before the LF.
  let pos = text.indexOf(dashes);
  if (pos === -1) throw new TypeError(kNoInitial);
  pos += dashes.length;
  const delimiter = `\n${dashes}`;
  for (;;) {
    if (text.startsWith('--', pos)) return fd;
    if (text.startsWith('\r\n', pos)) pos += 2;
    else if (text.charCodeAt(pos) === 10) pos += 1;
    else throw new TypeError(kNoSucceed);
    const headerEnd = findHeaderEnd(text, pos);
    if (headerEnd === null) throw new TypeError(kNoTermination);
    const { disposition, type } = parsePartHeaders(bytes, text, pos, headerEnd[0]);
    const { name, filename } = parseDisposition(disposition);
    const start = headerEnd[1];
    const next = text.indexOf(delimiter, start);
    if (next === -1) throw new TypeError(kNoNext);
    const end = next > start && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
    // As in workerd, a part is a file only with a non-empty quoted filename; its type is the
    // Content-Type header as sent. A file gets a copy of its bytes: the body may be a buffer
    // its sender still holds, and a small file should not keep a large body alive.
    entries.push([name, filename === undefined ?
      natives.utf8Decode(bytes.subarray(start, end), false) :
      makeFile(bytes.slice(start, end), type === undefined ? '' : type, filename, Date.now())]);
    pos = next + delimiter.length;
  }
}

// ---------------------------------------------------------------------------------------------
// application/x-www-form-urlencoded parsing, on bytes: workerd decodes %XX before it decodes
// UTF-8 (so an escaped lead byte and a raw continuation byte make one character), takes one hex
// digit when only one follows the '%', and drops a '%' that no hex digit follows.

const hexValue = (c) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 :
  c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);

function decodeFormComponent(bytes, from, to) {
  let plain = true;
  for (let i = from; i < to && plain; i++) plain = bytes[i] !== 0x25 && bytes[i] !== 0x2b;
  if (plain) return natives.utf8Decode(bytes.subarray(from, to), false);
  const out = new Uint8Array(to - from);
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c === 0x2b) {
      out[n++] = 0x20;
    } else if (c !== 0x25) {
      out[n++] = c;
    } else {
      const high = i + 1 < to ? hexValue(bytes[i + 1]) : -1;
      if (high === -1) continue;
      const low = i + 2 < to ? hexValue(bytes[i + 2]) : -1;
      if (low === -1) {
        out[n++] = high;
        i += 1;
      } else {
        out[n++] = high * 16 + low;
        i += 2;
      }
    }
  }
  return natives.utf8Decode(out.subarray(0, n), false);
}

function parseUrlencoded(bytes) {
  const fd = new FormData();
  const entries = formEntries(fd);
  let from = 0;
  // A leading BOM is dropped from compatibility date 2026-01-13 on, with workerd's
  // strip_bom_in_read_all_text.
  if (`${internal.compatibilityDate}` >= '2026-01-13' && bytes[0] === 0xef &&
      bytes[1] === 0xbb && bytes[2] === 0xbf) {
    from = 3;
  }
  let start = from;
  let eq = -1;
  for (let i = from; i <= bytes.length; i++) {
    const c = i === bytes.length ? 0x26 : bytes[i];
    if (c === 0x26) {
      if (i > start) {
        const nameEnd = eq === -1 ? i : eq;
        entries.push([decodeFormComponent(bytes, start, nameEnd),
          eq === -1 ? '' : decodeFormComponent(bytes, eq + 1, i)]);
      }
      start = i + 1;
      eq = -1;
    } else if (c === 0x3d && eq === -1) {
      eq = i;
    }
  }
  return fd;
}

// ---------------------------------------------------------------------------------------------
// formData(): the body's bytes and its Content-Type header (or null) → a FormData.

const kUtf8Labels = new Set(['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8',
  'utf8', 'x-unicode20utf8']);

function parseFormDataBody(bytes, contentType) {
  if (contentType === null) {
    throw new TypeError('Parsing a Body as FormData requires a Content-Type header.');
  }
  // workerd's MIME parser keeps a quoted value whose closing quote is missing.
  const mime = parseMime(contentType, true);
  const essence = mime === null ? '' : `${mime.type}/${mime.subtype}`;
  if (essence === 'multipart/form-data') {
    const boundary = mime.params.get('boundary');
    if (boundary === undefined) {
      throw new TypeError('No boundary string in Content-Type header. The multipart/form-data ' +
        'MIME type requires a boundary parameter, e.g. \'Content-Type: multipart/form-data; ' +
        'boundary="abcd"\'. See RFC 7578, section 4.');
    }
    return parseMultipart(bytes, boundary);
  }
  if (essence === 'application/x-www-form-urlencoded') {
    const charset = mime.params.get('charset');
    if (charset !== undefined && !kUtf8Labels.has(charset.toLowerCase())) {
      throw new TypeError('Non-utf-8 application/x-www-form-urlencoded body.');
    }
    return parseUrlencoded(bytes);
  }
  throw new TypeError('Unrecognized Content-Type header value. FormData can only parse the ' +
    'following MIME types: multipart/form-data, application/x-www-form-urlencoded');
}

internal.serializeMultipart = serializeMultipart;
internal.parseFormDataBody = parseFormDataBody;
