// crypto.subtle (Web Crypto): SubtleCrypto and CryptoKey. The cryptography is OpenSSL's
// (natives.crypto* in crypto.c++); this file does the Web IDL: argument conversion, algorithm
// normalization, key usages, and errors as DOMExceptions in rejected promises, with workerd's
// messages. Implemented: digest (SHA-1/256/384/512, and MD5 as Workers has it); HMAC (sign,
// verify); AES-GCM, AES-CBC and AES-CTR (encrypt, decrypt); AES-KW and wrapKey/unwrapKey;
// PBKDF2 and HKDF (deriveBits, deriveKey); RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA and Ed25519 pairs
// (sign, verify), RSA-OAEP pairs (encrypt, decrypt), ECDH and X25519 pairs (deriveBits,
// deriveKey), in spki, pkcs8, jwk, and raw for EC and OKP public keys; importKey, exportKey,
// generateKey; timingSafeEqual (a Workers extension). Other names are refused with a
// NotSupportedError naming them.

const { DOMException, finishClass, toUint8Array, isArrayBuffer, atob, btoa } = internal;
// Taken before user code runs, like the rest of the built-ins' helpers.
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;
const utf8Encode = (text) => new internal.TextEncoder().encode(text);
const utf8Decode = (bytes) => new internal.TextDecoder('utf-8', { fatal: true }).decode(bytes);

const kConstruct = Symbol('kiln.construct');
const DIGESTS = ['MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
const HMAC_HASHES = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
const HASH_BLOCK_BITS = { 'SHA-1': 512, 'SHA-256': 512, 'SHA-384': 1024, 'SHA-512': 1024 };
const JWK_HMAC_ALG = { 'SHA-1': 'HS1', 'SHA-256': 'HS256', 'SHA-384': 'HS384', 'SHA-512': 'HS512' };
// Web Crypto's other algorithms: recognized, and refused by name until kiln has them.
const NOT_YET = ['NODE-ED25519'];
// Signature algorithms whose public keys kiln verifies with (private keys: not yet).
const PUBLIC_KEYS = ['RSASSA-PKCS1-v1_5', 'RSA-PSS', 'RSA-OAEP', 'ECDSA', 'Ed25519', 'ECDH',
  'X25519'];
// What each half of a pair may do.
const PAIR_USAGES = {
  'RSA-OAEP': { public: ['encrypt', 'wrapKey'], private: ['decrypt', 'unwrapKey'] },
  'ECDH': { public: [], private: ['deriveKey', 'deriveBits'] },
  'X25519': { public: [], private: ['deriveKey', 'deriveBits'] },
  signature: { public: ['verify'], private: ['sign'] },
};
const pairUsages = (name) => PAIR_USAGES[name] ?? PAIR_USAGES.signature;
const JWK_RSA_ALG = {
  'RSASSA-PKCS1-v1_5': {
    'SHA-1': 'RS1', 'SHA-256': 'RS256', 'SHA-384': 'RS384', 'SHA-512': 'RS512',
  },
  'RSA-PSS': { 'SHA-1': 'PS1', 'SHA-256': 'PS256', 'SHA-384': 'PS384', 'SHA-512': 'PS512' },
  'RSA-OAEP': {
    'SHA-1': 'RSA-OAEP', 'SHA-256': 'RSA-OAEP-256', 'SHA-384': 'RSA-OAEP-384',
    'SHA-512': 'RSA-OAEP-512',
  },
};
const CURVE_BYTES = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
// What each key algorithm kiln has may do, and how its keys are made.
const KEY_KINDS = {
  'HMAC': { usages: ['sign', 'verify'], formats: ['raw', 'jwk'] },
  'AES-GCM': { usages: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], formats: ['raw', 'jwk'] },
  'AES-CBC': { usages: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], formats: ['raw', 'jwk'] },
  'AES-CTR': { usages: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], formats: ['raw', 'jwk'] },
  'AES-KW': { usages: ['wrapKey', 'unwrapKey'], formats: ['raw', 'jwk'] },
  'PBKDF2': { usages: ['deriveKey', 'deriveBits'], formats: ['raw'] },
  'HKDF': { usages: ['deriveKey', 'deriveBits'], formats: ['raw'] },
};
const KEY_NAMES = [...Object.keys(KEY_KINDS), ...PUBLIC_KEYS];
const JWK_AES_ALG = { 'AES-GCM': 'GCM', 'AES-CBC': 'CBC', 'AES-CTR': 'CTR', 'AES-KW': 'KW' };
// PBKDF2 runs in one OpenSSL call that the CPU watchdog cannot stop: Workers' iteration cap,
// and a bound on the output (each 32 bytes of it costs the iterations again).
const PBKDF2_MAX_ITERATIONS = 100000;
const PBKDF2_MAX_BYTES = 1024;
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

function hashOf(dict, field = 'hash') {
  if (dict[field] === undefined) throw new TypeError(`Missing field "${field}" in "algorithm".`);
  const hash = canonical(givenName(dict[field]), HMAC_HASHES);
  if (hash === undefined) {
    throw notSupported('Unrecognized or unimplemented digest algorithm requested.');
  }
  return hash;
}

function requireField(dict, field) {
  if (dict[field] === undefined) throw new TypeError(`Missing field "${field}" in "algorithm".`);
  return dict[field];
}

// The key algorithm for importKey and generateKey; `what` names the operation in errors.
function keyAlgorithm(algorithm, what) {
  const given = givenName(algorithm);
  const name = canonical(given, KEY_NAMES);
  if (name !== undefined) {
    return { name, dict: typeof algorithm === 'object' && algorithm !== null ? algorithm : {} };
  }
  const known = canonical(given, NOT_YET);
  if (known !== undefined) throw notSupported(`${known} keys are not supported by kiln yet.`);
  throw notSupported(`Unrecognized key ${what} algorithm "${given}" requested.`);
}

function checkUsages(name, usages, verb) {
  if (usages === null || typeof usages !== 'object' ||
      typeof usages[Symbol.iterator] !== 'function') {
    throw new TypeError('keyUsages must be a sequence of strings.');
  }
  const allowed = KEY_KINDS[name].usages;
  const given = new Set();
  for (const usage of usages) {
    const text = String(usage);
    if (!allowed.includes(text)) {
      throw new DOMException(`Attempt to ${verb} secret ${name} key with invalid usage ` +
        `"${text}".`, 'SyntaxError');
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

function base64urlDecode(text, name) {
  const invalid = () => new DOMException(`${name} "jwk" key import requires a base64Url ` +
    'encoding of the key ("k").', 'DataError');
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

function jwkAlg(algorithm, bytes) {
  if (algorithm.name === 'HMAC') return JWK_HMAC_ALG[algorithm.hash.name];
  const mode = JWK_AES_ALG[algorithm.name];
  return mode === undefined ? undefined : `A${bytes.length * 8}${mode}`;
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

// A key's bytes for `usage` with the algorithm the caller names.
function keyFor(method, algorithm, key, usage, position = 2) {
  if (!isKey(key)) throw failed(method, position, 'CryptoKey');
  const given = givenName(algorithm);
  const name = canonical(given, [...KEY_NAMES, ...NOT_YET]) ?? given;
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

function aesLength(bits, verb) {
  if (bits !== 128 && bits !== 192 && bits !== 256) {
    const made = verb === 'import' ? 'Imported' : 'Generated';
    const given = verb === 'import' ? 'provided' : 'requested';
    throw new DOMException(`${made} AES key length must be 128, 192, or 256 bits but ${given} ` +
      `${bits}.`, verb === 'import' ? 'DataError' : 'OperationError');
  }
  return bits;
}

function checkJwk(jwk, name, bytes, extractable, usages) {
  const expected = jwkAlg(name === 'HMAC' ? { name, hash: { name: jwk.hashName } } : { name },
    bytes);
  if (jwk.alg !== undefined && jwk.alg !== expected) {
    const what = name === 'HMAC' ? 'the hash name' : 'the key length';
    throw new DOMException(`${name} "jwk" key import specifies "alg" that is incompatible with ` +
      `${what} (encountered "${jwk.alg}", expected "${expected}").`, 'DataError');
  }
  if (jwk.use !== undefined && jwk.use !== (name === 'HMAC' ? 'sig' : 'enc')) {
    throw new DOMException(`${name} "jwk" key import has an incompatible "use".`, 'DataError');
  }
  if (jwk.ext === false && extractable) {
    throw new DOMException(`${name} "jwk" key import of an inextractable key ("ext": false) ` +
      'cannot be made extractable.', 'DataError');
  }
  if (Array.isArray(jwk.key_ops) && !usages.every((u) => jwk.key_ops.includes(u))) {
    throw new DOMException(`${name} "jwk" key import requires the usages to be in "key_ops".`,
      'DataError');
  }
}

function importBytes(format, keyData, name) {
  if (format === 'raw') return bufferSource(keyData, 'importKey', 2);
  if (keyData === null || typeof keyData !== 'object') {
    throw new TypeError('A JSON Web Key must be an object.');
  }
  if (keyData.kty !== 'oct') {
    throw new DOMException(`${name} "jwk" key import requires a JSON Web Key with Key Type ` +
      `parameter ("kty") equal to "oct" (encountered "${keyData.kty}").`, 'DataError');
  }
  return base64urlDecode(keyData.k, name);
}

function importSecret(format, keyData, name, dict, extractable, usages) {
  if (!KEY_KINDS[name].formats.includes(format)) {
    throw notSupported(`Unrecognized key import format "${format}".`);
  }
  const bytes = importBytes(format, keyData, name);
  const hash = name === 'HMAC' ? hashOf(dict) : undefined;
  if (format === 'jwk') {
    checkJwk({ ...keyData, hashName: hash }, name, bytes, extractable, usages);
  }
  let algorithm;
  if (name === 'HMAC') {
    const available = bytes.length * 8;
    const length = dict.length === undefined ? available : Number(dict.length);
    if (!(length > 0 && length <= available && length > available - 8)) {
      throw new DOMException(`Imported HMAC key length (${length}) must be a non-zero value up ` +
        'to 7 bits less than, and no greater than, the bit length of the raw key data ' +
        `(${available}).`, 'DataError');
    }
    algorithm = { name, hash: { name: hash }, length };
  } else if (name === 'PBKDF2' || name === 'HKDF') {
    if (extractable) {
      throw new DOMException(`${name} key cannot be extractable.`, 'SyntaxError');
    }
    algorithm = { name };
  } else {
    algorithm = { name, length: aesLength(bytes.length * 8, 'import') };
  }
  return new CryptoKey(kConstruct, 'secret', Boolean(extractable), algorithm, usages, bytes);
}

function generateSecret(name, dict, extractable, usages) {
  let bits;
  let algorithm;
  if (name === 'HMAC') {
    const hash = hashOf(dict);
    bits = HASH_BLOCK_BITS[hash];
    if (dict.length !== undefined) {
      bits = Number(dict.length);
      if (!(Number.isInteger(bits) && bits > 0 && bits <= 0xffffffff)) {
        throw new DOMException('HMAC key length must be a non-zero unsigned long integer ' +
          `(requested ${dict.length}).`, 'OperationError');
      }
    }
    algorithm = { name, hash: { name: hash }, length: bits };
  } else if (name.startsWith('AES-')) {
    bits = aesLength(Number(requireField(dict, 'length')), 'generate');
    algorithm = { name, length: bits };
  } else {
    throw notSupported(`Unrecognized key generation algorithm "${name}" requested.`);
  }
  const bytes = new Uint8Array(Math.ceil(bits / 8));
  for (let i = 0; i < bytes.length; i += 65536) {
    natives.getRandomValues(bytes.subarray(i, i + 65536));
  }
  return new CryptoKey(kConstruct, 'secret', Boolean(extractable), algorithm, usages, bytes);
}

// Keys of the signature algorithms: public ones hold SPKI DER, private ones PKCS#8 DER.
const RSA_MAX_BITS = 4096;  // Generation is one native call the CPU watchdog cannot stop.

function asymmetricAlgorithm(name, dict, info) {
  if (name === 'Ed25519' || name === 'X25519') {
    if (info !== undefined && (info.kind !== 'OKP' || info.curve !== name)) {
      throw new DOMException(`The key is not an ${name} key.`, 'DataError');
    }
    return { name };
  }
  if (name === 'ECDSA' || name === 'ECDH') {
    const curve = String(requireField(dict, 'namedCurve'));
    if (CURVE_BYTES[curve] === undefined) {
      throw notSupported(`Unrecognized or unimplemented EC curve "${curve}" requested.`);
    }
    if (info !== undefined && (info.kind !== 'EC' || info.curve !== curve)) {
      throw new DOMException(`The key is not an ${curve} ${name} key.`, 'DataError');
    }
    return { name, namedCurve: curve };
  }
  const hash = hashOf(dict);
  if (info !== undefined && info.kind !== 'RSA') {
    throw new DOMException('The key is not an RSA key.', 'DataError');
  }
  return info === undefined ? { name, hash: { name: hash } } : {
    name, modulusLength: info.bits, publicExponent: info.e, hash: { name: hash },
  };
}

function asymmetricUsages(name, keyUsages, type) {
  const allowed = pairUsages(name)[type];
  const usages = new Set();
  for (const usage of keyUsages) {
    if (!allowed.includes(String(usage))) {
      throw new DOMException(`Attempt to import ${type} ${name} key with invalid usage ` +
        `"${usage}".`, 'SyntaxError');
    }
    usages.add(String(usage));
  }
  if (type === 'private' && usages.size === 0) {
    throw new DOMException('Secret/private CryptoKeys must have at least one usage.',
      'SyntaxError');
  }
  return USAGE_ORDER.filter((u) => usages.has(u));
}

function importAsymmetric(format, keyData, name, dict, extractable, keyUsages) {
  const isJwk = format === 'jwk' && keyData !== null && typeof keyData === 'object';
  const type = format === 'pkcs8' || (isJwk && keyData.d !== undefined) ? 'private' : 'public';
  const usages = asymmetricUsages(name, keyUsages, type);
  const wanted = asymmetricAlgorithm(name, dict, undefined);
  let der;
  if (format === 'spki' || format === 'pkcs8') {
    der = bufferSource(keyData, 'importKey', 2);
  } else if (format === 'jwk') {
    if (!isJwk) throw new TypeError('A JSON Web Key must be an object.');
    const pair = keyFromJwk(keyData, name, wanted, type);
    der = pair === undefined ? undefined : type === 'private' ? pair.pkcs8 : pair;
  } else if (format === 'raw' && (name === 'Ed25519' || name === 'X25519')) {
    der = natives.cryptoOkpFromRaw(false, bufferSource(keyData, 'importKey', 2), name);
  } else if (format === 'raw' && (name === 'ECDSA' || name === 'ECDH')) {
    const point = bufferSource(keyData, 'importKey', 2);
    const size = CURVE_BYTES[wanted.namedCurve];
    if (point.length !== 1 + 2 * size || point[0] !== 4) {
      throw new DOMException('Only uncompressed EC points are supported.', 'DataError');
    }
    der = natives.cryptoPublicKeyFromJwk('EC', wanted.namedCurve, point.subarray(1, 1 + size),
      point.subarray(1 + size));
  } else {
    throw notSupported(`Unrecognized key import format "${format}".`);
  }
  const info = der === undefined ? undefined : type === 'private'
    ? natives.cryptoPrivateKeyInfo(der) : natives.cryptoPublicKeyInfo(der);
  if (info === undefined) {
    throw new DOMException(name === 'ECDSA' && (format === 'jwk' || format === 'raw')
      ? 'Invalid EC key; public key coordinates "x" and "y" are invalid.'
      : format === 'jwk' ? `Invalid ${name} JSON Web Key.`
        : `Invalid ${format === 'pkcs8' ? 'PKCS8' : 'SPKI'} input.`, 'DataError');
  }
  return new CryptoKey(kConstruct, type, Boolean(extractable),
    asymmetricAlgorithm(name, dict, info), usages, new Uint8Array(der));
}

function keyFromJwk(jwk, name, wanted, type) {
  const b = (field) => base64urlDecode(jwk[field], name);
  if (name === 'Ed25519' || name === 'X25519') {
    if (jwk.kty !== 'OKP' || jwk.crv !== name) {
      throw new DOMException(`${name} "jwk" key import requires "kty" "OKP" and "crv" ` +
        `"${name}".`, 'DataError');
    }
    if (type === 'public') return natives.cryptoOkpFromRaw(false, b('x'), name);
    const pair = natives.cryptoOkpFromRaw(true, b('d'), name);
    // The private half determines the public one: a JWK whose x disagrees is not a key pair.
    if (pair !== undefined) {
      const info = natives.cryptoPrivateKeyInfo(new Uint8Array(pair.pkcs8));
      if (base64urlEncode(info.x) !== jwk.x) return undefined;
    }
    return pair;
  }
  if (name === 'ECDSA' || name === 'ECDH') {
    if (jwk.kty !== 'EC' || jwk.crv !== wanted.namedCurve) {
      throw new DOMException(`${name} "jwk" key import requires "kty" "EC" and "crv" ` +
        `"${wanted.namedCurve}".`, 'DataError');
    }
    return type === 'private'
      ? natives.cryptoPrivateKeyFromJwk('EC', jwk.crv, b('x'), b('y'), b('d'))
      : natives.cryptoPublicKeyFromJwk('EC', jwk.crv, b('x'), b('y'));
  }
  if (jwk.kty !== 'RSA') {
    throw new DOMException(`${name} "jwk" key import requires a JSON Web Key with Key Type ` +
      `parameter ("kty") equal to "RSA" (encountered "${jwk.kty}").`, 'DataError');
  }
  const expected = JWK_RSA_ALG[name][wanted.hash.name];
  if (jwk.alg !== undefined && jwk.alg !== expected) {
    throw new DOMException(`${name} "jwk" key import specifies "alg" that is incompatible with ` +
      `the hash name (encountered "${jwk.alg}", expected "${expected}").`, 'DataError');
  }
  if (type === 'public') return natives.cryptoPublicKeyFromJwk('RSA', b('n'), b('e'));
  if (jwk.p === undefined) {
    throw notSupported('RSA private keys without their prime factors are not supported.');
  }
  return natives.cryptoPrivateKeyFromJwk('RSA', b('n'), b('e'), b('d'), b('p'), b('q'),
    b('dp'), b('dq'), b('qi'));
}

function generateAsymmetric(name, dict, extractable, keyUsages) {
  const algorithm = asymmetricAlgorithm(name, dict, undefined);
  const wanted = new Set([...keyUsages].map(String));
  const { public: publicUsages, private: privateUsages } = pairUsages(name);
  for (const usage of wanted) {
    if (!publicUsages.includes(usage) && !privateUsages.includes(usage)) {
      throw new DOMException(`Attempt to generate ${name} key pair with invalid usage ` +
        `"${usage}".`, 'SyntaxError');
    }
  }
  if (!privateUsages.some((u) => wanted.has(u))) {
    throw new DOMException('Secret/private CryptoKeys must have at least one usage.',
      'SyntaxError');
  }
  let pair;
  if (name === 'Ed25519' || name === 'X25519') {
    pair = natives.cryptoGenerateKeyPair('OKP', name);
  } else if (name === 'ECDSA' || name === 'ECDH') {
    pair = natives.cryptoGenerateKeyPair('EC', algorithm.namedCurve);
  } else {
    const bits = Number(requireField(dict, 'modulusLength'));
    const exponent = bufferSource(requireField(dict, 'publicExponent'), 'generateKey', 1);
    if (!(Number.isInteger(bits) && bits >= 1024 && bits <= RSA_MAX_BITS && bits % 8 === 0)) {
      throw new DOMException(`RSA modulus length must be a multiple of 8 from 1024 to ` +
        `${RSA_MAX_BITS} in kiln (requested ${dict.modulusLength}).`, 'OperationError');
    }
    pair = natives.cryptoGenerateKeyPair('RSA', bits, exponent);
  }
  if (pair === undefined) {
    throw new DOMException(`${name} key generation failed.`, 'OperationError');
  }
  const spki = new Uint8Array(pair.spki);
  const pkcs8 = new Uint8Array(pair.pkcs8);
  const info = natives.cryptoPrivateKeyInfo(pkcs8);
  const full = asymmetricAlgorithm(name, dict, info);
  const pick = (list) => USAGE_ORDER.filter((u) => list.includes(u) && wanted.has(u));
  return {
    publicKey: new CryptoKey(kConstruct, 'public', true, full, pick(publicUsages), spki),
    privateKey: new CryptoKey(kConstruct, 'private', Boolean(extractable),
      asymmetricAlgorithm(name, dict, info), pick(privateUsages), pkcs8),
  };
}

function signatureHash(name, algorithm, key) {
  if (name === 'Ed25519') return '';
  return name === 'ECDSA' ? hashOf(algorithm) : key.algorithm.hash.name;
}

function verifyPublic(algorithm, key, spki, signature, data) {
  const name = key.algorithm.name;
  const hash = signatureHash(name, algorithm, key);
  const saltLength = name === 'RSA-PSS' ? Number(requireField(algorithm, 'saltLength')) : 0;
  return natives.cryptoVerify(name, spki, hash, bufferSource(signature, 'verify', 3),
    bufferSource(data, 'verify', 4), saltLength);
}

function signPrivate(algorithm, key, pkcs8, data) {
  const name = key.algorithm.name;
  const hash = signatureHash(name, algorithm, key);
  const saltLength = name === 'RSA-PSS' ? Number(requireField(algorithm, 'saltLength')) : 0;
  const signature = natives.cryptoSign(name, pkcs8, hash, bufferSource(data, 'sign', 3),
    saltLength);
  if (signature === undefined) {
    throw new DOMException(`${name} signing failed (is the salt too long for the key?).`,
      'OperationError');
  }
  return signature;
}

function exportAsymmetric(format, key, der) {
  const isPrivate = key.type === 'private';
  if (format === (isPrivate ? 'pkcs8' : 'spki')) return der.slice().buffer;
  if (format === 'spki' || format === 'pkcs8') {
    throw new DOMException(`A ${key.type} key cannot be exported as "${format}".`,
      'InvalidAccessError');
  }
  const info = isPrivate ? natives.cryptoPrivateKeyInfo(der) : natives.cryptoPublicKeyInfo(der);
  const algorithm = key.algorithm;
  const jwk = { key_ops: [...key.usages], ext: true };
  if (info.kind === 'OKP') {
    if (format === 'raw') {
      if (isPrivate) throw new DOMException(`Only public ${info.curve} keys export as "raw".`,
        'InvalidAccessError');
      return info.x.slice().buffer;
    }
    Object.assign(jwk, { kty: 'OKP', crv: info.curve, x: base64urlEncode(info.x) });
    if (info.curve === 'Ed25519') jwk.alg = 'EdDSA';
    if (isPrivate) jwk.d = base64urlEncode(info.d);
    return jwk;
  }
  if (info.kind === 'EC') {
    if (format === 'raw') {
      if (isPrivate) throw new DOMException('Only public EC keys export as "raw".',
        'InvalidAccessError');
      const point = new Uint8Array(1 + info.x.length * 2);
      point[0] = 4;
      point.set(info.x, 1);
      point.set(info.y, 1 + info.x.length);
      return point.buffer;
    }
    Object.assign(jwk, { kty: 'EC', crv: info.curve, x: base64urlEncode(info.x),
      y: base64urlEncode(info.y) });
    if (isPrivate) jwk.d = base64urlEncode(info.d);
    return jwk;
  }
  if (format === 'raw') throw notSupported('RSA keys cannot be exported as "raw".');
  Object.assign(jwk, { kty: 'RSA', alg: JWK_RSA_ALG[algorithm.name][algorithm.hash.name],
    n: base64urlEncode(info.n), e: base64urlEncode(info.e) });
  if (isPrivate) {
    for (const field of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
      jwk[field] = base64urlEncode(info[field]);
    }
  }
  return jwk;
}

// ---------------------------------------------------------------------------------------------
// Operations

const DECRYPT_FAILED = 'Decryption failed. This could be due to a ciphertext authentication ' +
  'failure, bad padding, incorrect CryptoKey, or another algorithm-specific reason.';

// AES-CTR with Web Crypto's counter: only its low `length` bits count, and they wrap. The data is
// cut where they would wrap, and a counter that would repeat is an error.
function aesCtr(method, algorithm, key, data, usage) {
  const bytes = keyFor(method, algorithm, key, usage);
  const counter = bufferSource(requireField(algorithm, 'counter'), method, 1);
  if (counter.length !== 16) {
    throw new DOMException(`AES-CTR counter must be 16 bytes (provided ${counter.length}).`,
      'OperationError');
  }
  const length = Number(requireField(algorithm, 'length'));
  if (!(Number.isInteger(length) && length >= 1 && length <= 128)) {
    throw new DOMException(`AES-CTR counter length must be from 1 to 128 (provided ` +
      `${algorithm.length}).`, 'OperationError');
  }
  const input = bufferSource(data, method, 3);
  let value = 0n;
  for (const byte of counter) value = (value << 8n) | BigInt(byte);
  const mask = (1n << BigInt(length)) - 1n;
  const blocks = BigInt(Math.ceil(input.length / 16));
  if (blocks > mask + 1n) {
    throw new DOMException('Counter block values will repeat.', 'OperationError');
  }
  const room = mask - (value & mask) + 1n;  // blocks before the counter wraps
  const toBytes = (v) => {
    const out = new Uint8Array(16);
    for (let i = 15; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
    return out;
  };
  if (blocks <= room) return natives.cryptoAes('AES-CTR', true, bytes, counter, input);
  const cut = Number(room) * 16;
  const first = new Uint8Array(natives.cryptoAes('AES-CTR', true, bytes, counter,
    input.subarray(0, cut)));
  const rest = new Uint8Array(natives.cryptoAes('AES-CTR', true, bytes, toBytes(value & ~mask),
    input.subarray(cut)));
  const out = new Uint8Array(first.length + rest.length);
  out.set(first);
  out.set(rest, first.length);
  return out.buffer;
}

function aes(method, algorithm, key, data, usage = method) {
  if (isKey(key) && key.algorithm.name === 'AES-CTR') {
    return aesCtr(method, algorithm, key, data, usage);
  }
  const encrypt = method === 'encrypt';
  const bytes = keyFor(method, algorithm, key, usage);
  const name = key.algorithm.name;
  const iv = bufferSource(requireField(algorithm, 'iv'), method, 1);
  const input = bufferSource(data, method, 3);
  let tagBytes = 16;
  let aad;
  if (name === 'AES-GCM') {
    if (algorithm.tagLength !== undefined) {
      const tagLength = Number(algorithm.tagLength);
      if (![32, 64, 96, 104, 112, 120, 128].includes(tagLength)) {
        throw new DOMException(`Invalid AES-GCM tag length ${algorithm.tagLength}.`,
          'OperationError');
      }
      tagBytes = tagLength / 8;
    }
    if (iv.length === 0) {
      throw new DOMException('AES-GCM IV must not be empty.', 'OperationError');
    }
    if (algorithm.additionalData !== undefined) {
      aad = bufferSource(algorithm.additionalData, method, 1);
    }
  } else if (iv.length !== 16) {
    throw new DOMException(`AES-CBC IV must be 16 bytes long (provided ${iv.length}).`,
      'OperationError');
  }
  const result = natives.cryptoAes(name, encrypt, bytes, iv, input, aad, tagBytes);
  if (result === undefined) throw new DOMException(DECRYPT_FAILED, 'OperationError');
  return result;
}

function rsaOaep(method, algorithm, key, data, usage = method) {
  const der = keyFor(method, algorithm, key, usage);
  const label = algorithm.label === undefined ? undefined
    : bufferSource(algorithm.label, method, 1);
  const result = natives.cryptoRsaOaep(method === 'encrypt', der, key.algorithm.hash.name, label,
    bufferSource(data, method, 3));
  if (result === undefined) {
    throw new DOMException('RSA-OAEP failed encrypt/decrypt.', 'OperationError');
  }
  return result;
}

// wrapKey and unwrapKey: the key's bytes through AES-KW, AES-GCM/CBC or RSA-OAEP.
function transformKey(method, algorithm, key, bytes, usage) {
  if (!isKey(key)) throw failed(usage, 3, 'CryptoKey');
  const name = key.algorithm.name;
  if (name === 'RSA-OAEP') return rsaOaep(method, algorithm, key, bytes, usage);
  if (name !== 'AES-KW') return aes(method, algorithm, key, bytes, usage);
  const secret = keyFor(usage, algorithm, key, usage, 3);
  if (bytes.length % 8 !== 0 || bytes.length < (method === 'encrypt' ? 16 : 24)) {
    throw new DOMException('AES-KW requires a multiple of 8 bytes, at least ' +
      `${method === 'encrypt' ? 16 : 24} (got ${bytes.length}).`, 'OperationError');
  }
  const result = natives.cryptoAesKw(method === 'encrypt', secret, bytes);
  if (result === undefined) {
    throw new DOMException('AES-KW key unwrapping failed.', 'OperationError');
  }
  return result;
}

function agree(method, algorithm, baseKey, own, length) {
  // ECDH and X25519: the secret the private base key shares with algorithm.public.
  const name = baseKey.algorithm.name;
  const peer = requireField(algorithm, 'public');
  if (!isKey(peer) || peer.type !== 'public') {
    throw new TypeError(`${name}: "public" must be a public CryptoKey.`);
  }
  if (peer.algorithm.name !== name || peer.algorithm.namedCurve !== baseKey.algorithm.namedCurve) {
    throw new DOMException(`The public key is not an ${name} key of the same curve.`,
      'InvalidAccessError');
  }
  const secret = natives.cryptoEcdh(own, keyData.get(peer));
  if (secret === undefined) {
    throw new DOMException(`${name} key agreement failed.`, 'OperationError');
  }
  if (length === null || length === undefined) return secret;
  if (length > secret.byteLength * 8) {
    throw new DOMException(`Derived key length (${length} bits) is too long (should be at ` +
      `most ${secret.byteLength * 8} bits).`, 'OperationError');
  }
  const bytes = new Uint8Array(secret, 0, Math.ceil(length / 8)).slice();
  if (length % 8 !== 0) bytes[bytes.length - 1] &= 0xff << (8 - (length % 8));
  return bytes.buffer;
}

function deriveBits(method, algorithm, baseKey, length) {
  const bytes = keyFor(method, algorithm, baseKey, method === 'deriveKey' ? 'deriveKey' :
    'deriveBits');
  const name = baseKey.algorithm.name;
  if (name === 'ECDH' || name === 'X25519') return agree(method, algorithm, baseKey, bytes, length);
  if (length === null || length === undefined) {
    throw new DOMException(`${name} cannot derive a key with null length.`, 'OperationError');
  }
  if (length % 8 !== 0) {
    throw new DOMException(`${name} requires a derived key length that is a multiple of eight ` +
      `(requested ${length}).`, 'OperationError');
  }
  const hash = hashOf(algorithm);
  const salt = bufferSource(requireField(algorithm, 'salt'), method, 1);
  if (name === 'PBKDF2') {
    const iterations = Number(requireField(algorithm, 'iterations'));
    if (!(iterations > 0)) {
      throw new DOMException('PBKDF2 requires a positive iteration count (requested ' +
        `${algorithm.iterations}).`, 'OperationError');
    }
    if (iterations > PBKDF2_MAX_ITERATIONS) {
      throw notSupported(`Pbkdf2 failed: iteration counts above ${PBKDF2_MAX_ITERATIONS} are ` +
        `not supported (requested ${iterations}).`);
    }
    if (length / 8 > PBKDF2_MAX_BYTES) {
      throw notSupported(`PBKDF2 in kiln derives at most ${PBKDF2_MAX_BYTES * 8} bits ` +
        `(requested ${length}).`);
    }
    return natives.cryptoPbkdf2(hash, bytes, salt, Math.floor(iterations), length / 8);
  }
  const info = bufferSource(requireField(algorithm, 'info'), method, 1);
  const result = natives.cryptoHkdf(hash, bytes, salt, info, length / 8);
  if (result === undefined) {
    throw new DOMException(`HKDF cannot derive ${length} bits with ${hash}.`, 'OperationError');
  }
  return result;
}

// The length deriveKey asks of deriveBits for the key it makes.
function derivedLength(name, dict) {
  if (name === 'HMAC') {
    return dict.length !== undefined ? Number(dict.length) : HASH_BLOCK_BITS[hashOf(dict)];
  }
  if (name.startsWith('AES-')) {
    return aesLength(Number(requireField(dict, 'length')), 'generate');
  }
  throw notSupported(`deriveKey() cannot make ${name} keys.`);
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

class SubtleCrypto {
  constructor(token) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor');
  }

  encrypt(algorithm, key, data) {
    return promised(() => (isKey(key) && key.algorithm.name === 'RSA-OAEP'
      ? rsaOaep('encrypt', algorithm, key, data) : aes('encrypt', algorithm, key, data)));
  }

  decrypt(algorithm, key, data) {
    return promised(() => (isKey(key) && key.algorithm.name === 'RSA-OAEP'
      ? rsaOaep('decrypt', algorithm, key, data) : aes('decrypt', algorithm, key, data)));
  }

  sign(algorithm, key, data) {
    return promised(() => {
      const bytes = keyFor('sign', algorithm, key, 'sign');
      if (key.type === 'private') return signPrivate(algorithm, key, bytes, data);
      return natives.cryptoHmac(key.algorithm.hash.name, bytes, bufferSource(data, 'sign', 3));
    });
  }

  verify(algorithm, key, signature, data) {
    return promised(() => {
      const bytes = keyFor('verify', algorithm, key, 'verify');
      if (key.type === 'public') return verifyPublic(algorithm, key, bytes, signature, data);
      const given = bufferSource(signature, 'verify', 3);
      const expected = new Uint8Array(natives.cryptoHmac(key.algorithm.hash.name, bytes,
        bufferSource(data, 'verify', 4)));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
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

  generateKey(algorithm, extractable, keyUsages) {
    return promised(() => {
      const { name, dict } = keyAlgorithm(algorithm, 'generation');
      if (PUBLIC_KEYS.includes(name)) return generateAsymmetric(name, dict, extractable, keyUsages);
      if (name === 'PBKDF2' || name === 'HKDF') {
        throw notSupported(`Unrecognized key generation algorithm "${name}" requested.`);
      }
      const usages = checkUsages(name, keyUsages, 'generate');
      return generateSecret(name, dict, extractable, usages);
    });
  }

  deriveKey(algorithm, baseKey, derivedKeyType, extractable, keyUsages) {
    return promised(() => {
      const { name, dict } = keyAlgorithm(derivedKeyType, 'import');
      const usages = checkUsages(name, keyUsages, 'import');
      const bits = deriveBits('deriveKey', algorithm, baseKey, derivedLength(name, dict));
      return importSecret('raw', bits, name, dict, extractable, usages);
    });
  }

  deriveBits(algorithm, baseKey, length) {
    return promised(() => deriveBits('deriveBits', algorithm, baseKey, length));
  }

  importKey(format, keyData, algorithm, extractable, keyUsages) {
    return promised(() => {
      const fmt = String(format);
      if (!['raw', 'spki', 'pkcs8', 'jwk'].includes(fmt)) {
        throw notSupported(`Unrecognized key import format "${fmt}".`);
      }
      const { name, dict } = keyAlgorithm(algorithm, 'import');
      if (PUBLIC_KEYS.includes(name)) {
        return importAsymmetric(fmt, keyData, name, dict, extractable, keyUsages);
      }
      const usages = checkUsages(name, keyUsages, 'import');
      return importSecret(fmt, keyData, name, dict, extractable, usages);
    });
  }

  exportKey(format, key) {
    return promised(() => {
      if (!isKey(key)) throw failed('exportKey', 2, 'CryptoKey');
      const fmt = String(format);
      const name = key.algorithm.name;
      if (fmt !== 'raw' && fmt !== 'jwk' && !(key.type !== 'secret' &&
          (fmt === 'spki' || fmt === 'pkcs8'))) {
        throw notSupported(`Unimplemented key export format "${fmt}".`);
      }
      if (!key.extractable) {
        throw new DOMException(`Attempt to export non-extractable ${name} key.`,
          'InvalidAccessError');
      }
      const bytes = keyData.get(key);
      if (key.type !== 'secret') return exportAsymmetric(fmt, key, bytes);
      if (fmt === 'raw') return bytes.slice().buffer;
      return { kty: 'oct', key_ops: [...key.usages], alg: jwkAlg(key.algorithm, bytes),
        ext: true, k: base64urlEncode(bytes) };
    });
  }

  wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    return promised(async () => {
      const exported = await this.exportKey(format, key);
      const bytes = format === 'jwk' ? utf8Encode(JSONStringify(exported))
        : new Uint8Array(exported);
      return transformKey('encrypt', wrapAlgorithm, wrappingKey, bytes, 'wrapKey');
    });
  }

  unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm,
    extractable, keyUsages) {
    return promised(() => {
      const bytes = new Uint8Array(transformKey('decrypt', unwrapAlgorithm, unwrappingKey,
        bufferSource(wrappedKey, 'unwrapKey', 2), 'unwrapKey'));
      let keyData = bytes;
      if (format === 'jwk') {
        try {
          keyData = JSONParse(utf8Decode(bytes));
        } catch {
          throw new DOMException('The unwrapped key is not a JSON Web Key.', 'DataError');
        }
      }
      return this.importKey(format, keyData, unwrappedKeyAlgorithm, extractable, keyUsages);
    });
  }

  timingSafeEqual(a, b) {
    return timingSafeEqual(a, b);
  }
}
finishClass(SubtleCrypto);

internal.subtle = new SubtleCrypto(kConstruct);
internal.CryptoKey = CryptoKey;
internal.defineGlobal('SubtleCrypto', SubtleCrypto);
internal.defineGlobal('CryptoKey', CryptoKey);
