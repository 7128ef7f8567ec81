// URL hosts, following the WHATWG URL Standard's host parsing: domains (through punycode),
// IPv4 in all its legacy forms, IPv6, and opaque hosts. Evaluated right before url.js, which
// takes parseHost from `internal.urlHost`.

const {
  percentEncode, percentDecodeToString, hexValue, punycodeEncode, C0_CONTROL_SET,
} = internal.percentEncoding;

// Forbidden host code points; forbidden domain code points add C0 controls, '%' and DEL.
const forbiddenHost = /[\0\t\n\r #/:<>?@[\\\]^|]/;
const forbiddenDomain = /[\0-\x20#%/:<>?@[\\\]^|\x7f]/;

function parseIPv4Number(input) {
  if (input === '') return NaN;
  let radix = 10;
  if (input.length >= 2 && input[0] === '0' && (input[1] === 'x' || input[1] === 'X')) {
    input = input.slice(2);
    radix = 16;
  } else if (input.length >= 2 && input[0] === '0') {
    input = input.slice(1);
    radix = 8;
  }
  if (input === '') return 0;
  const valid = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/;
  if (!valid.test(input)) return NaN;
  // Huge values lose precision but only need to compare as "too big".
  return parseInt(input, radix);
}

function endsInANumber(input) {
  const parts = input.split('.');
  if (parts[parts.length - 1] === '') {
    if (parts.length === 1) return false;
    parts.pop();
  }
  const last = parts[parts.length - 1];
  if (last !== '' && /^[0-9]+$/.test(last)) return true;
  return /^0[xX][0-9a-fA-F]*$/.test(last);
}

// Returns the serialized address, or null on failure.
function parseIPv4(input) {
  const parts = input.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) return null;
  const numbers = [];
  for (const part of parts) {
    const n = parseIPv4Number(part);
    if (Number.isNaN(n)) return null;
    numbers.push(n);
  }
  for (let i = 0; i < numbers.length - 1; i++) if (numbers[i] > 255) return null;
  const last = numbers[numbers.length - 1];
  if (last >= 256 ** (5 - numbers.length)) return null;
  let address = last;
  for (let i = 0; i < numbers.length - 1; i++) address += numbers[i] * 256 ** (3 - i);
  const octets = [];
  for (let i = 0; i < 4; i++) {
    octets.unshift(address % 256);
    address = Math.floor(address / 256);
  }
  return octets.join('.');
}

// Returns the eight 16-bit pieces, or null on failure.
function parseIPv6(input) {
  const address = [0, 0, 0, 0, 0, 0, 0, 0];
  let pieceIndex = 0;
  let compress = null;
  let p = 0;
  const at = (i) => (i < input.length ? input.charCodeAt(i) : -1);
  const isDigit = (c) => c >= 0x30 && c <= 0x39;
  if (at(p) === 0x3a) {
    if (at(p + 1) !== 0x3a) return null;
    p += 2;
    compress = ++pieceIndex;
  }
  while (at(p) !== -1) {
    if (pieceIndex === 8) return null;
    if (at(p) === 0x3a) {
      if (compress !== null) return null;
      p++;
      compress = ++pieceIndex;
      continue;
    }
    let value = 0;
    let length = 0;
    while (length < 4 && hexValue(at(p)) >= 0) {
      value = value * 16 + hexValue(at(p));
      p++;
      length++;
    }
    if (at(p) === 0x2e) {
      // An embedded IPv4 address fills the last two pieces.
      if (length === 0) return null;
      p -= length;
      if (pieceIndex > 6) return null;
      let numbersSeen = 0;
      while (at(p) !== -1) {
        let piece = null;
        if (numbersSeen > 0) {
          if (at(p) === 0x2e && numbersSeen < 4) p++;
          else return null;
        }
        if (!isDigit(at(p))) return null;
        while (isDigit(at(p))) {
          const n = at(p) - 0x30;
          if (piece === null) piece = n;
          else if (piece === 0) return null;
          else piece = piece * 10 + n;
          if (piece > 255) return null;
          p++;
        }
        address[pieceIndex] = address[pieceIndex] * 0x100 + piece;
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
      }
      if (numbersSeen !== 4) return null;
      break;
    } else if (at(p) === 0x3a) {
      p++;
      if (at(p) === -1) return null;
    } else if (at(p) !== -1) {
      return null;
    }
    address[pieceIndex++] = value;
  }
  if (compress !== null) {
    let swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex !== 0 && swaps > 0) {
      const tmp = address[compress + swaps - 1];
      address[compress + swaps - 1] = address[pieceIndex];
      address[pieceIndex] = tmp;
      pieceIndex--;
      swaps--;
    }
  } else if (pieceIndex !== 8) {
    return null;
  }
  return address;
}

function serializeIPv6(address) {
  // Compress the first longest run of two or more zero pieces.
  let compress = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (address[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && address[j] === 0) j++;
    if (j - i > bestLength) {
      bestLength = j - i;
      compress = i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === compress) {
      out += i === 0 ? '::' : ':';
      i += bestLength - 1;
      continue;
    }
    out += address[i].toString(16);
    if (i !== 7) out += ':';
  }
  return out;
}

// Domain to ASCII. ASCII domains are just lowercased. For non-ASCII ones this approximates
// UTS #46 processing rather than embedding its mapping table: NFKC + lowercasing stand in for
// the mapping (they agree for nearly all real hostnames), the ideographic full stops become '.',
// a few "ignored" code points are dropped, obviously disallowed ones (controls, unassigned,
// private use, U+FFFD, joiners) and labels starting with a combining mark fail, and each label
// is punycoded. Bidi and other contextual rules are not checked, nor are existing "xn--" labels
// validated, so a few hostnames that browsers reject are accepted here.
function domainToASCII(domain) {
  if (!/[^\0-\x7f]/.test(domain)) return domain.toLowerCase();
  let mapped = domain.replace(/[\u3002\uff0e\uff61]/g, '.')
    .replace(/[\u00ad\u034f\u180b-\u180d\u200b\u2060\ufe00-\ufe0f\ufeff]/g, '');
  try {
    mapped = mapped.normalize('NFKC').toLowerCase().normalize('NFC');
  } catch {
    mapped = mapped.toLowerCase();
  }
  if (/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\ufffd]/u.test(mapped)) return '';
  const labels = mapped.split('.');
  for (let i = 0; i < labels.length; i++) {
    if (!/[^\0-\x7f]/.test(labels[i])) continue;
    if (/^\p{M}/u.test(labels[i])) return '';
    labels[i] = `xn--${punycodeEncode(labels[i])}`;
  }
  return labels.join('.');
}

// Host parser. Returns the serialized host or null on failure.
function parseHost(input, isOpaque) {
  if (input[0] === '[') {
    if (input[input.length - 1] !== ']') return null;
    const address = parseIPv6(input.slice(1, -1));
    return address === null ? null : `[${serializeIPv6(address)}]`;
  }
  if (isOpaque) {
    if (forbiddenHost.test(input)) return null;
    return percentEncode(input, C0_CONTROL_SET);
  }
  // An empty result is also how domainToASCII reports failure.
  const ascii = domainToASCII(percentDecodeToString(input));
  if (ascii === '' || forbiddenDomain.test(ascii)) return null;
  if (endsInANumber(ascii)) return parseIPv4(ascii);
  return ascii;
}

internal.urlHost = { parseHost };
