// crypto.subtle (Web Crypto): SubtleCrypto and CryptoKey. The hashing and MACs are OpenSSL's
// (natives.cryptoDigest, natives.cryptoHmac in crypto.c++); this file does the Web IDL: argument
// conversion, algorithm normalization, key usages, and errors as DOMExceptions in rejected
// promises, with workerd's messages. Implemented: digest (SHA-1/256/384/512, and MD5 as Workers
// has it); HMAC importKey (raw, jwk), exportKey, generateKey, sign, verify; timingSafeEqual (a
// Workers extension). Other algorithms are refused with a NotSupportedError naming them.

const { DOMException, finishClass, toUint8Array, isArrayBuffer, atob, btoa } = internal;

const kConstruct = Symbol('kiln.construct');
const DIGESTS = ['MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
const HMAC_HASHES = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
const HASH_BLOCK_BITS = { 'SHA-1': 512, 'SHA-256': 512, 'SHA-384': 1024, 'SHA-512': 1024 };
const JWK_HMAC_ALG = { 'SHA-1': 'HS1', 'SHA-256': 'HS256', 'SHA-384': 'HS384', 'SHA-512': 'HS512' };
// Web Crypto's algorithms other than HMAC: recognized, and refused by name until kiln has them.
const NOT_YET = [
  'AES-CBC', 'AES-CTR', 'AES-GCM', 'AES-KW', 'ECDH', 'ECDSA', 'Ed25519', 'X25519', 'HKDF',
  'PBKDF2', 'RSA-OAEP', 'RSA-PSS', 'RSASSA-PKCS1-v1_5', 'NODE-ED25519',
];
const USAGE_ORDER = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey',
  'unwrapKey'];

const notSupported = (message) => new DOMException(message, 'NotSupportedError');
const failed = (method, n, type) => new TypeError(
  `Failed to execute '${method}' on 'SubtleCrypto': parameter ${n} is not of type '${type}'.`);

function bufferSource(data, method, n) {
  // Copied at call time: later writes to the caller's buffer must not matter.
  if (!ArrayBuffer.isView(data) && !isArrayBuffer(data)) throw failed(method, n, 'BufferSource');
  return toUint8Array(data, method).slice();
}

function givenName(algorithm) {
  if (typeof algorithm === 'string') return algorithm;
  if (algorithm !== null && typeof algorithm === 'object') return String(algorithm.name);
  return String(algorithm);
}

function canonical(name, list) {
  const upper = name.toUpperCase();
  return list.find((n) => n.toUpperCase() === upper);
}

function hmacHash(dict) {
  if (dict.hash === undefined) throw new TypeError('Missing field "hash" in "algorithm".');
  const hash = canonical(givenName(dict.hash), HMAC_HASHES);
  if (hash === undefined) {
    throw notSupported('Unrecognized or unimplemented digest algorithm requested.');
  }
  return hash;
}

// The HMAC algorithm for importKey and generateKey; `what` names the operation in errors.
function hmacAlgorithm(algorithm, what) {
  const name = givenName(algorithm);
  if (canonical(name, ['HMAC']) !== undefined) {
    return typeof algorithm === 'object' && algorithm !== null ? algorithm : {};
  }
  const known = canonical(name, NOT_YET);
  if (known !== undefined) throw notSupported(`${known} keys are not supported by kiln yet.`);
  throw notSupported(`Unrecognized key ${what} algorithm "${name}" requested.`);
}

function hmacUsages(usages, verb) {
  if (usages === null || typeof usages !== 'object' ||
      typeof usages[Symbol.iterator] !== 'function') {
    throw new TypeError('keyUsages must be a sequence of strings.');
  }
  const given = new Set();
  for (const usage of usages) {
    const text = String(usage);
    if (text !== 'sign' && text !== 'verify') {
      throw new DOMException(`Attempt to ${verb} secret HMAC key with invalid usage "${text}".`,
        'SyntaxError');
    }
    given.add(text);
  }
  if (given.size === 0) {
    throw new DOMException('Secret/private CryptoKeys must have at least one usage.',
      'SyntaxError');
  }
  return USAGE_ORDER.filter((u) => given.has(u));
}

function base64urlEncode(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64urlDecode(text) {
  const invalid = () => new DOMException('HMAC "jwk" key import requires a base64Url encoding ' +
    'of the key ("k").', 'DataError');
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) throw invalid();
  let b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  while (b64.length % 4 !== 0) b64 += '=';
  let binary;
  try {
    binary = atob(b64);
  } catch {
    throw invalid();
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// CryptoKey

const keyData = new WeakMap();  // CryptoKey → its secret bytes; never reachable from user code.

class CryptoKey {
  #type; #extractable; #algorithm; #usages;
  constructor(token, type, extractable, algorithm, usages, bytes) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor');
    this.#type = type;
    this.#extractable = extractable;
    this.#algorithm = algorithm;
    this.#usages = usages;
    keyData.set(this, bytes);
  }
  get type() { return this.#type; }
  get extractable() { return this.#extractable; }
  get algorithm() { return this.#algorithm; }
  get usages() { return this.#usages; }
}
finishClass(CryptoKey);

function isKey(value) {
  return value !== null && typeof value === 'object' && keyData.has(value);
}

function hmacKey(hash, bytes, length, extractable, usages) {
  return new CryptoKey(kConstruct, 'secret', Boolean(extractable),
    { name: 'HMAC', hash: { name: hash }, length }, usages, bytes);
}

// A key's bytes for `usage` with the algorithm the caller names.
function keyFor(method, algorithm, key, usage) {
  if (!isKey(key)) throw failed(method, 2, 'CryptoKey');
  const given = givenName(algorithm);
  const name = canonical(given, ['HMAC', ...NOT_YET]) ?? given;
  if (name !== key.algorithm.name) {
    throw new DOMException(`Requested algorithm "${name}" does not match this CryptoKey's ` +
      `algorithm "${key.algorithm.name}".`, 'InvalidAccessError');
  }
  if (!key.usages.includes(usage)) {
    throw new DOMException(`Requested key usage "${usage}" does not match any usage listed in ` +
      'this CryptoKey.', 'InvalidAccessError');
  }
  return keyData.get(key);
}

function importHmac(format, keyData, dict, extractable, usages) {
  const hash = hmacHash(dict);
  let bytes;
  if (format === 'raw') {
    bytes = bufferSource(keyData, 'importKey', 2);
  } else if (format === 'jwk') {
    if (keyData === null || typeof keyData !== 'object') {
      throw new TypeError('A JSON Web Key must be an object.');
    }
    if (keyData.kty !== 'oct') {
      throw new DOMException('HMAC "jwk" key import requires a JSON Web Key with Key Type ' +
        `parameter ("kty") equal to "oct" (encountered "${keyData.kty}").`, 'DataError');
    }
    bytes = base64urlDecode(keyData.k);
    if (keyData.alg !== undefined && keyData.alg !== JWK_HMAC_ALG[hash]) {
      throw new DOMException('HMAC "jwk" key import specifies "alg" that is incompatible with ' +
        `the hash name (encountered "${keyData.alg}", expected "${JWK_HMAC_ALG[hash]}").`,
      'DataError');
    }
    if (keyData.use !== undefined && keyData.use !== 'sig') {
      throw new DOMException('HMAC "jwk" key import requires "use" to be "sig".', 'DataError');
    }
    if (keyData.ext === false && extractable) {
      throw new DOMException('HMAC "jwk" key import of an inextractable key ("ext": false) ' +
        'cannot be made extractable.', 'DataError');
    }
    if (Array.isArray(keyData.key_ops) && !usages.every((u) => keyData.key_ops.includes(u))) {
      throw new DOMException('HMAC "jwk" key import requires the usages to be in "key_ops".',
        'DataError');
    }
  } else {
    throw notSupported(`Unrecognized key import format "${format}".`);
  }
  const available = bytes.length * 8;
  const length = dict.length === undefined ? available : Number(dict.length);
  if (!(length > 0 && length <= available && length > available - 8)) {
    throw new DOMException(`Imported HMAC key length (${length}) must be a non-zero value up to ` +
      '7 bits less than, and no greater than, the bit length of the raw key data ' +
      `(${available}).`, 'DataError');
  }
  return hmacKey(hash, bytes, length, extractable, usages);
}

// ---------------------------------------------------------------------------------------------
// SubtleCrypto

// Every method reports errors as a rejected promise, as Web IDL's promise-returning operations do.
function promised(fn) {
  return new Promise((resolve) => resolve(fn()));
}

function timingSafeEqual(a, b) {
  const x = bufferSource(a, 'timingSafeEqual', 1);
  const y = bufferSource(b, 'timingSafeEqual', 2);
  if (x.byteLength !== y.byteLength) {
    throw new TypeError('Input buffers must have the same byte length.');
  }
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

// encrypt, decrypt, deriveBits, deriveKey: no kiln key can do them yet (an HMAC key only signs).
function unsupported(op) {
  return function (algorithm, key) {
    return promised(() => {
      keyFor(op, algorithm, key, op);
      throw notSupported(`${op}() with ${givenName(algorithm)} is not supported by kiln yet.`);
    });
  };
}

class SubtleCrypto {
  constructor(token) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor');
  }

  digest(algorithm, data) {
    return promised(() => {
      const name = canonical(givenName(algorithm), DIGESTS);
      const bytes = bufferSource(data, 'digest', 2);
      if (name === undefined) {
        throw notSupported('Unrecognized or unimplemented digest algorithm requested.');
      }
      return natives.cryptoDigest(name, bytes);
    });
  }

  importKey(format, keyData, algorithm, extractable, keyUsages) {
    return promised(() => {
      const fmt = String(format);
      if (!['raw', 'spki', 'pkcs8', 'jwk'].includes(fmt)) {
        throw notSupported(`Unrecognized key import format "${fmt}".`);
      }
      const dict = hmacAlgorithm(algorithm, 'import');
      const usages = hmacUsages(keyUsages, 'import');
      return importHmac(fmt, keyData, dict, extractable, usages);
    });
  }

  exportKey(format, key) {
    return promised(() => {
      if (!isKey(key)) throw failed('exportKey', 2, 'CryptoKey');
      const fmt = String(format);
      if (fmt !== 'raw' && fmt !== 'jwk') {
        throw notSupported(`Unimplemented key export format "${fmt}".`);
      }
      if (!key.extractable) {
        throw new DOMException('Attempt to export non-extractable HMAC key.',
          'InvalidAccessError');
      }
      const bytes = keyData.get(key);
      if (fmt === 'raw') return bytes.slice().buffer;
      return { kty: 'oct', key_ops: [...key.usages], alg: JWK_HMAC_ALG[key.algorithm.hash.name],
        ext: true, k: base64urlEncode(bytes) };
    });
  }

  generateKey(algorithm, extractable, keyUsages) {
    return promised(() => {
      const dict = hmacAlgorithm(algorithm, 'generation');
      const hash = hmacHash(dict);
      const usages = hmacUsages(keyUsages, 'generate');
      let length = HASH_BLOCK_BITS[hash];
      if (dict.length !== undefined) {
        length = Number(dict.length);
        if (!(Number.isInteger(length) && length > 0 && length <= 0xffffffff)) {
          throw new DOMException('HMAC key length must be a non-zero unsigned long integer ' +
            `(requested ${dict.length}).`, 'OperationError');
        }
      }
      const bytes = new Uint8Array(Math.ceil(length / 8));
      for (let i = 0; i < bytes.length; i += 65536) {
        natives.getRandomValues(bytes.subarray(i, i + 65536));
      }
      return hmacKey(hash, bytes, length, extractable, usages);
    });
  }

  sign(algorithm, key, data) {
    return promised(() => {
      const bytes = keyFor('sign', algorithm, key, 'sign');
      return natives.cryptoHmac(key.algorithm.hash.name, bytes, bufferSource(data, 'sign', 3));
    });
  }

  verify(algorithm, key, signature, data) {
    return promised(() => {
      const bytes = keyFor('verify', algorithm, key, 'verify');
      const given = bufferSource(signature, 'verify', 3);
      const expected = new Uint8Array(natives.cryptoHmac(key.algorithm.hash.name, bytes,
        bufferSource(data, 'verify', 4)));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }

  wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    return promised(() => {
      throw notSupported(`wrapKey() with ${givenName(wrapAlgorithm)} is not supported by kiln ` +
        'yet.');
    });
  }

  unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm) {
    return promised(() => {
      throw notSupported(`unwrapKey() with ${givenName(unwrapAlgorithm)} is not supported by ` +
        'kiln yet.');
    });
  }

  timingSafeEqual(a, b) {
    return timingSafeEqual(a, b);
  }
}
for (const op of ['encrypt', 'decrypt', 'deriveBits', 'deriveKey']) {
  Object.defineProperty(SubtleCrypto.prototype, op, {
    value: unsupported(op), writable: true, configurable: true,
  });
}
finishClass(SubtleCrypto);

internal.subtle = new SubtleCrypto(kConstruct);
internal.CryptoKey = CryptoKey;
internal.defineGlobal('SubtleCrypto', SubtleCrypto);
internal.defineGlobal('CryptoKey', CryptoKey);
