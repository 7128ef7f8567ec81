// Tests for crypto.js: crypto.subtle against FIPS 180 (digests), RFC 4231 (HMAC), NIST GCM and
// SP 800-38A (AES), RFC 6070 (PBKDF2) and RFC 5869 (HKDF) vectors, and the JWT (HS256) flow jose
// and Hono use. The messages are workerd's (checked side by side).

import { assert, assertEqual, assertDeepEqual, assertRejects } from 'assert.js';

const utf8 = (text) => new TextEncoder().encode(text);
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0'))
  .join('');
const b64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export const digestVectors = {
  async test() {
    assert(crypto.subtle instanceof SubtleCrypto, 'crypto.subtle is a SubtleCrypto');
    const abc = utf8('abc');
    assertEqual(hex(await crypto.subtle.digest('SHA-1', abc)),
      'a9993e364706816aba3e25717850c26c9cd0d89d');
    assertEqual(hex(await crypto.subtle.digest('SHA-256', abc)),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assertEqual(hex(await crypto.subtle.digest({ name: 'sha-384' }, abc)),
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed' +
      '8086072ba1e7cc2358baeca134c825a7');
    assertEqual(hex(await crypto.subtle.digest('SHA-512', abc.buffer)),
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a' +
      '2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f');
    assertEqual(hex(await crypto.subtle.digest('SHA-256', new Uint8Array(0))),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const digest = await crypto.subtle.digest('SHA-256', new DataView(abc.buffer));
    assert(digest instanceof ArrayBuffer, 'digest resolves to an ArrayBuffer');
  },
};

export const digestErrors = {
  async test() {
    // MD5 is not Web Crypto's, but Workers has it.
    assertEqual(hex(await crypto.subtle.digest('MD5', utf8('abc'))),
      '900150983cd24fb0d6963f7d28e17f72');
    await assertRejects(() => crypto.subtle.digest('SHA3-256', utf8('x')), DOMException,
      /^Unrecognized or unimplemented digest algorithm requested\.$/);
    await assertRejects(() => crypto.subtle.digest({}, utf8('x')), DOMException,
      /Unrecognized or unimplemented digest/);
    await assertRejects(() => crypto.subtle.digest('SHA-256', 'text'), TypeError,
      /parameter 2 is not of type 'BufferSource'/);
    // Not implemented yet: refused by name, never silently accepted.
    const error = await crypto.subtle.importKey('raw', new Uint8Array(16),
      { name: 'NODE-ED25519', namedCurve: 'NODE-ED25519' }, false, ['sign'])
      .then(() => null, (e) => e);
    assert(error instanceof DOMException && error.name === 'NotSupportedError',
      `NODE-ED25519 keys are refused with NotSupportedError, got ${error}`);
    assert(error.message.includes('NODE-ED25519'), error.message);
    await assertRejects(() => crypto.subtle.encrypt({ name: 'AES-GCM' }, null, utf8('x')),
      TypeError, /parameter 2 is not of type 'CryptoKey'/);
    await assertRejects(() => crypto.subtle.importKey('raw', utf8('k'), { name: 'FOO' }, false,
      ['sign']), DOMException, /Unrecognized key import algorithm "FOO" requested/);
  },
};

export const hmacRfc4231 = {
  async test() {
    // RFC 4231 test case 2.
    for (const [hash, expected] of [
      ['SHA-256', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      ['SHA-512', '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554' +
        '9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737'],
    ]) {
      const key = await crypto.subtle.importKey('raw', utf8('Jefe'), { name: 'HMAC', hash },
        false, ['sign', 'verify']);
      assert(key instanceof CryptoKey, 'importKey resolves to a CryptoKey');
      assertEqual(key.type, 'secret');
      assertEqual(key.extractable, false);
      assertDeepEqual(key.algorithm, { name: 'HMAC', hash: { name: hash }, length: 32 });
      assertDeepEqual(key.usages, ['sign', 'verify']);
      const data = utf8('what do ya want for nothing?');
      const signature = await crypto.subtle.sign('HMAC', key, data);
      assertEqual(hex(signature), expected, hash);
      assertEqual(await crypto.subtle.verify('HMAC', key, signature, data), true);
      const tampered = new Uint8Array(signature);
      tampered[0] ^= 1;
      assertEqual(await crypto.subtle.verify('HMAC', key, tampered, data), false);
      await assertRejects(() => crypto.subtle.exportKey('raw', key), DOMException,
        /^Attempt to export non-extractable HMAC key\.$/);
    }
  },
};

export const hmacKeysAndUsages = {
  async test() {
    const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-384' }, true,
      ['sign']);
    assertEqual(key.algorithm.length, 1024);
    const raw = await crypto.subtle.exportKey('raw', key);
    assertEqual(raw.byteLength, 128);
    const jwk = await crypto.subtle.exportKey('jwk', key);
    assertEqual(jwk.kty, 'oct');
    assertEqual(jwk.alg, 'HS384');
    assertDeepEqual(jwk.key_ops, ['sign']);
    const again = await crypto.subtle.importKey('jwk', jwk, { name: 'HMAC', hash: 'SHA-384' },
      true, ['sign']);
    assertEqual(hex(await crypto.subtle.exportKey('raw', again)), hex(raw));
    // A key without "verify" cannot verify; usages and key data are checked.
    await assertRejects(() => crypto.subtle.verify('HMAC', key, new Uint8Array(48), utf8('x')),
      DOMException, /Requested key usage "verify" does not match any usage listed/);
    const aes = { name: 'AES-GCM', iv: new Uint8Array(12) };
    await assertRejects(() => crypto.subtle.encrypt(aes, key, utf8('x')), DOMException,
      /Requested algorithm "AES-GCM" does not match this CryptoKey's algorithm "HMAC"/);
    await assertRejects(() => crypto.subtle.importKey('raw', utf8('k'),
      { name: 'HMAC', hash: 'SHA-256' }, false, ['encrypt']), DOMException,
      /Attempt to import secret HMAC key with invalid usage "encrypt"/);
    await assertRejects(() => crypto.subtle.importKey('raw', utf8('k'),
      { name: 'HMAC', hash: 'SHA-256' }, false, []), DOMException, /at least one usage/);
    await assertRejects(() => crypto.subtle.importKey('raw', new Uint8Array(0),
      { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']), DOMException,
      /Imported HMAC key length \(0\)/);
    await assertRejects(() => crypto.subtle.importKey('jwk',
      { kty: 'oct', k: 'a2V5', alg: 'HS512' },
      { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']), DOMException,
      /incompatible with the hash name \(encountered "HS512", expected "HS256"\)/);
    await assertRejects(() => crypto.subtle.importKey('raw', utf8('k'), { name: 'HMAC' }, false,
      ['sign']), TypeError, /Missing field "hash" in "algorithm"/);
    // Usages come back deduplicated, in Web Crypto's order.
    const both = await crypto.subtle.importKey('raw', utf8('k'),
      { name: 'hmac', hash: 'sha-256' }, false, ['verify', 'sign', 'sign']);
    assertDeepEqual(both.usages, ['sign', 'verify']);
    assert(both.algorithm === both.algorithm, 'algorithm is the same object each time');
    // The key's bytes are copied at import: later writes to the source do not change it.
    const source = utf8('Jefe');
    const copied = await crypto.subtle.importKey('raw', source, { name: 'HMAC', hash: 'SHA-256' },
      true, ['sign']);
    source[0] = 0;
    assertEqual(hex(await crypto.subtle.exportKey('raw', copied)), hex(utf8('Jefe')));
    assert(crypto.subtle.timingSafeEqual(utf8('ab'), utf8('ab')));
    assert(!crypto.subtle.timingSafeEqual(utf8('ab'), utf8('ac')));
  },
};

export const jwtHs256 = {
  async test() {
    // jwt.io's example token, signed with "your-256-bit-secret".
    const header = b64url(utf8(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
    const payload = 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ';
    const key = await crypto.subtle.importKey('raw', utf8('your-256-bit-secret'),
      { name: 'HMAC', hash: { name: 'SHA-256' } }, false, ['sign']);
    const signature = await crypto.subtle.sign({ name: 'HMAC' }, key, utf8(`${header}.${payload}`));
    assertEqual(`${header}.${payload}.${b64url(signature)}`,
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' + payload +
      '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c');
  },
};

const unhex = (text) => new Uint8Array(text.match(/../g).map((b) => parseInt(b, 16)));

export const aesVectors = {
  async test() {
    // NIST GCM test case 2: zero key, IV and plaintext.
    const gcm = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', true,
      ['encrypt', 'decrypt']);
    assertDeepEqual(gcm.algorithm, { name: 'AES-GCM', length: 128 });
    const iv = new Uint8Array(12);
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, gcm, new Uint8Array(16));
    assertEqual(hex(sealed), '0388dace60b6a392f328c2b971b2fe78' +
      'ab6e47d42cec13bdf53a67b21257bddf');
    assertEqual(hex(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, gcm, sealed)),
      '00000000000000000000000000000000');
    const tampered = new Uint8Array(sealed);
    tampered[0] ^= 1;
    await assertRejects(() => crypto.subtle.decrypt({ name: 'AES-GCM', iv }, gcm, tampered),
      DOMException, /^Decryption failed\./);
    // Additional data is authenticated too.
    const withAad = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8('a') },
      gcm, utf8('secret'));
    await assertRejects(() => crypto.subtle.decrypt({ name: 'AES-GCM', iv,
      additionalData: utf8('b') }, gcm, withAad), DOMException, /Decryption failed/);
    await assertRejects(() => crypto.subtle.encrypt({ name: 'AES-GCM', iv, tagLength: 100 }, gcm,
      utf8('x')), DOMException, /Invalid AES-GCM tag length 100/);
    await assertRejects(() => crypto.subtle.encrypt({ name: 'AES-GCM' }, gcm, utf8('x')),
      TypeError, /Missing field "iv" in "algorithm"/);
    const jwk = await crypto.subtle.exportKey('jwk', gcm);
    assertEqual(jwk.alg, 'A128GCM');
    assertDeepEqual(jwk.key_ops, ['encrypt', 'decrypt']);
    await assertRejects(() => crypto.subtle.importKey('raw', new Uint8Array(10), 'AES-GCM', true,
      ['encrypt']), DOMException,
    /^Imported AES key length must be 128, 192, or 256 bits but provided 80\.$/);
    // SP 800-38A F.2.1, AES-128-CBC (Web Crypto adds a PKCS#7 padding block).
    const cbc = await crypto.subtle.importKey('raw', unhex('2b7e151628aed2a6abf7158809cf4f3c'),
      { name: 'AES-CBC' }, false, ['encrypt', 'decrypt']);
    const cbcIv = unhex('000102030405060708090a0b0c0d0e0f');
    const out = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: cbcIv }, cbc,
      unhex('6bc1bee22e409f96e93d7e117393172a'));
    assertEqual(out.byteLength, 32);
    assertEqual(hex(out).slice(0, 32), '7649abac8119b246cee98e9b12e9197d');
    assertEqual(hex(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: cbcIv }, cbc, out)),
      '6bc1bee22e409f96e93d7e117393172a');
    await assertRejects(() => crypto.subtle.encrypt({ name: 'AES-CBC', iv: cbcIv }, gcm,
      utf8('x')), DOMException, /Requested algorithm "AES-CBC" does not match/);
    const generated = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true,
      ['encrypt']);
    assertEqual((await crypto.subtle.exportKey('raw', generated)).byteLength, 32);
    await assertRejects(() => crypto.subtle.generateKey({ name: 'AES-GCM', length: 100 }, true,
      ['encrypt']), DOMException, /Generated AES key length must be 128, 192, or 256 bits/);
  },
};

export const derivation = {
  async test() {
    const password = await crypto.subtle.importKey('raw', utf8('password'), 'PBKDF2', false,
      ['deriveBits', 'deriveKey']);
    assertDeepEqual(password.algorithm, { name: 'PBKDF2' });
    assertDeepEqual(password.usages, ['deriveKey', 'deriveBits']);
    // RFC 6070, c = 1 and c = 4096.
    const pbkdf2 = (iterations) => crypto.subtle.deriveBits({ name: 'PBKDF2', salt: utf8('salt'),
      iterations, hash: 'SHA-1' }, password, 160);
    assertEqual(hex(await pbkdf2(1)), '0c60c80f961f0e71f3a9b524af6012062fe037a6');
    assertEqual(hex(await pbkdf2(4096)), '4b007901b765489abead49d926f721d065a429c1');
    await assertRejects(() => pbkdf2(0), DOMException, /positive iteration count/);
    // A native call the CPU watchdog cannot stop: bounded as Workers bounds it.
    await assertRejects(() => pbkdf2(100001), DOMException, /iteration counts above 100000/);
    await assertRejects(() => crypto.subtle.importKey('raw', utf8('p'), 'PBKDF2', true,
      ['deriveBits']), DOMException, /^PBKDF2 key cannot be extractable\.$/);
    const aesKey = await crypto.subtle.deriveKey({ name: 'PBKDF2', salt: utf8('salt'),
      iterations: 2, hash: 'SHA-256' }, password, { name: 'AES-GCM', length: 256 }, true,
    ['encrypt']);
    assertDeepEqual(aesKey.algorithm, { name: 'AES-GCM', length: 256 });
    const hmac = await crypto.subtle.deriveKey({ name: 'PBKDF2', salt: utf8('salt'),
      iterations: 2, hash: 'SHA-256' }, password, { name: 'HMAC', hash: 'SHA-256' }, true,
    ['sign']);
    assertDeepEqual(hmac.algorithm, { name: 'HMAC', hash: { name: 'SHA-256' }, length: 512 });
    // RFC 5869 test case 1.
    const ikm = await crypto.subtle.importKey('raw', unhex('0b'.repeat(22)), 'HKDF', false,
      ['deriveBits']);
    const okm = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256',
      salt: unhex('000102030405060708090a0b0c'), info: unhex('f0f1f2f3f4f5f6f7f8f9') }, ikm, 336);
    assertEqual(hex(okm), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf' +
      '34007208d5b887185865');
    await assertRejects(() => crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256',
      salt: new Uint8Array(0), info: new Uint8Array(0) }, password, 256), DOMException,
    /Requested algorithm "HKDF" does not match this CryptoKey's algorithm "PBKDF2"/);
  },
};

// Made with the openssl command line: a 2048-bit RSA key and a P-256 key, both signing
// "hello kiln" with SHA-256 (RSA-PSS with a 32-byte salt; the ECDSA signature as r || s).
const VECTORS = {
  'rsaSpki':
    'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3ERz80TMehdOBsyIGtetEQ3Xyf+0Vsw+1Hp7' +
    'drgVURKhiIX7UtDOn2yLlEzmpeB2EA/vYe/ZKQSZGBuefLrXkg84XeecoMU2v079s2CfOW1UXI055pwd' +
    'tUDq2Etvn3g906xGsTOC0wzV2U/eLLW7HDX6JV/O7omv60Hv4aYzah7+pFvK5hlDlTZ2owQ4SMfx8iUD' +
    'eDidiV32FEuqHQw3C/WADc7JQFNMdISGk/wOaLYg5SMEHpVnBJZ+YPd6ln5tzVYyaTM5Yg305Izn4HjD' +
    '4RLEX3od0CXIe2Zx55yokIMizcq8uRGhN1+ozG/p2EYDD6ay7cEREvjbtmm55Edx9QIDAQAB',
  'rsaN':
    '3ERz80TMehdOBsyIGtetEQ3Xyf-0Vsw-1Hp7drgVURKhiIX7UtDOn2yLlEzmpeB2EA_vYe_ZKQSZGBue' +
    'fLrXkg84XeecoMU2v079s2CfOW1UXI055pwdtUDq2Etvn3g906xGsTOC0wzV2U_eLLW7HDX6JV_O7omv' +
    '60Hv4aYzah7-pFvK5hlDlTZ2owQ4SMfx8iUDeDidiV32FEuqHQw3C_WADc7JQFNMdISGk_wOaLYg5SME' +
    'HpVnBJZ-YPd6ln5tzVYyaTM5Yg305Izn4HjD4RLEX3od0CXIe2Zx55yokIMizcq8uRGhN1-ozG_p2EYD' +
    'D6ay7cEREvjbtmm55Edx9Q',
  'rsaE': 'AQAB',
  'rsaSig':
    'a2fb86af1a71e79f4391f2971e2f7b6a699c44ec9f103c1902c5fcdb9f0b21d3c5aaaf45b551af3d' +
    '95effecfca15dbcf4de27a6dedfee91b5320c2b5147a6f0fe58692e75670acdcb924d3f7730a9a53' +
    '21d7529a0982475d74505c7854adccc5370d24ea5fa58cf94b56509d16d1418a0b4de9672f031c92' +
    '7d0c50e10c2bcd0654e47bd21cb30af4c09bc777d2250f3b36fec794b4d376bebff7b4cad2d5ea54' +
    'd76832da1eab16567f5a4cbc9e5a1b54f099634284e24eb0827580ce175a6fe5994f459b3938cbd7' +
    'd05dc97f4314f2bf823baef29202430697e801fb9b70ddedf2a5f23d10408554316538b4b352c215' +
    'fd32d5989d77c26af7c0e16c95ddb9c5',
  'pssSig':
    '0bb82abd14c933915b814c504935a8c82a3d055ef8ad6b2a9cc74c93fd0caaa70a5a6193c8264779' +
    '3f4d70552e849658d1015b5f1db9ae86c6f5ded77dc6707093e67cc61614c1f9556ff181631a5b87' +
    'e5a4a57e56004ad79772359e289eb8a28e71a7fdbf83406bfb1df86d1180db42901a1c690e72386c' +
    '2e771feb5156c74d063eb982d7bc434935ef34b51b92ae69b9f2003d7638eb7e73ed50887ec5688d' +
    '32ee5c54e4168e565412a05844c17e05622f58800f9f90b770a314b988318a8133663f222f78babd' +
    'c0529dd1dac0d134a7e517c9f22c3060970871a16bb2f88fe81b0214837303e6c5615f1429be14b5' +
    '47b24d1411f4b090807f87fb23a3f744',
  'ecSpki':
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhyzETKIxKQ7zSzd/FSeXyTGFPqGPBR8+J+0Gyyhab+Rx' +
    'mI96RVaptQH7D2Yi14aVY8NYnxfUZMIt64ZoTPo6kA==',
  'ecX': 'hyzETKIxKQ7zSzd_FSeXyTGFPqGPBR8-J-0Gyyhab-Q',
  'ecY': 'cZiPekVWqbUB-w9mIteGlWPDWJ8X1GTCLeuGaEz6OpA',
  'ecSig':
    '9c4f3b6fe2ade701b1ec336a5502a82f8caa5290cde8d830514cd446f7fafde0ffc843aa7c0e8949' +
    '58b7e004549323e131baa109de99a58ae9b403fc73c41b1d',
};
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export const publicKeys = {
  async test() {
    const message = utf8('hello kiln');
    const rsa = await crypto.subtle.importKey('spki', unb64(VECTORS.rsaSpki),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['verify']);
    assertEqual(rsa.type, 'public');
    assertEqual(rsa.algorithm.modulusLength, 2048);
    assertDeepEqual([...rsa.algorithm.publicExponent], [1, 0, 1]);
    assertEqual(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', rsa, unhex(VECTORS.rsaSig),
      message), true);
    assertEqual(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', rsa, unhex(VECTORS.rsaSig),
      utf8('hello kilo')), false);
    // The same key from its JWK, as a JWKS endpoint serves it.
    const jwk = await crypto.subtle.exportKey('jwk', rsa);
    assertEqual(jwk.n, VECTORS.rsaN);
    assertEqual(jwk.alg, 'RS256');
    const fromJwk = await crypto.subtle.importKey('jwk', { kty: 'RSA', n: VECTORS.rsaN,
      e: VECTORS.rsaE, alg: 'RS256' }, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false,
    ['verify']);
    assertEqual(await crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, fromJwk,
      unhex(VECTORS.rsaSig), message), true);
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', rsa));
    assertEqual(btoa(String.fromCharCode(...spki)), VECTORS.rsaSpki);
    const pss = await crypto.subtle.importKey('spki', unb64(VECTORS.rsaSpki),
      { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']);
    assertEqual(await crypto.subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, pss,
      unhex(VECTORS.pssSig), message), true);
    // ECDSA, from SPKI, JWK and a raw point.
    const ecAlg = { name: 'ECDSA', namedCurve: 'P-256' };
    const ec = await crypto.subtle.importKey('spki', unb64(VECTORS.ecSpki), ecAlg, true,
      ['verify']);
    assertDeepEqual(ec.algorithm, ecAlg);
    const ecdsa = { name: 'ECDSA', hash: 'SHA-256' };
    assertEqual(await crypto.subtle.verify(ecdsa, ec, unhex(VECTORS.ecSig), message), true);
    assertEqual(await crypto.subtle.verify(ecdsa, ec, unhex(VECTORS.ecSig), utf8('x')), false);
    const ecJwk = await crypto.subtle.exportKey('jwk', ec);
    assertEqual(ecJwk.x, VECTORS.ecX);
    const raw = await crypto.subtle.exportKey('raw', ec);
    const fromRaw = await crypto.subtle.importKey('raw', raw, ecAlg, false, ['verify']);
    assertEqual(await crypto.subtle.verify(ecdsa, fromRaw, unhex(VECTORS.ecSig), message), true);
    // A point off the curve is not a key.
    await assertRejects(() => crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256',
      x: VECTORS.ecX, y: VECTORS.ecX }, ecAlg, false, ['verify']), DOMException,
    /Invalid EC key; public key coordinates "x" and "y" are invalid/);
    // Bytes that are no key, and a public key asked to sign.
    await assertRejects(() => crypto.subtle.importKey('pkcs8', new Uint8Array(8),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']), DOMException,
    /^Invalid PKCS8 input\.$/);
    await assertRejects(() => crypto.subtle.sign('RSASSA-PKCS1-v1_5', rsa, message), DOMException,
      /Requested key usage "sign" does not match/);
    await assertRejects(() => crypto.subtle.importKey('spki', unb64(VECTORS.ecSpki),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']), DOMException,
    /not an RSA key/);
  },
};

export const keyPairs = {
  async test() {
    const message = utf8('hello kiln');
    // ECDSA: generate, sign, verify, and the private key through JWK and PKCS#8 and back.
    const ec = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true,
      ['sign', 'verify']);
    assertEqual(ec.privateKey.type, 'private');
    assertEqual(ec.publicKey.type, 'public');
    assertDeepEqual(ec.privateKey.usages, ['sign']);
    assertDeepEqual(ec.publicKey.usages, ['verify']);
    const ecdsa = { name: 'ECDSA', hash: 'SHA-384' };
    const signature = await crypto.subtle.sign(ecdsa, ec.privateKey, message);
    assertEqual(signature.byteLength, 96);  // r || s, 48 bytes each
    assertEqual(await crypto.subtle.verify(ecdsa, ec.publicKey, signature, message), true);
    const jwk = await crypto.subtle.exportKey('jwk', ec.privateKey);
    assertEqual(jwk.kty, 'EC');
    assertEqual(jwk.crv, 'P-384');
    assert(typeof jwk.d === 'string' && jwk.d.length > 0, 'the JWK carries d');
    const alg = { name: 'ECDSA', namedCurve: 'P-384' };
    const again = await crypto.subtle.importKey('jwk', jwk, alg, false, ['sign']);
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', ec.privateKey);
    const fromPkcs8 = await crypto.subtle.importKey('pkcs8', pkcs8, alg, false, ['sign']);
    for (const key of [again, fromPkcs8]) {
      const s = await crypto.subtle.sign(ecdsa, key, message);
      assertEqual(await crypto.subtle.verify(ecdsa, ec.publicKey, s, message), true);
    }
    // A private JWK whose d does not match its public point is refused.
    const other = await crypto.subtle.exportKey('jwk',
      (await crypto.subtle.generateKey(alg, true, ['sign'])).privateKey);
    await assertRejects(() => crypto.subtle.importKey('jwk', { ...jwk, d: other.d }, alg, false,
      ['sign']), DOMException, /Invalid EC key/);
    // RSA: a generated pair signs with PKCS#1 v1.5 and PSS.
    const rsa = await crypto.subtle.generateKey({ name: 'RSA-PSS', modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
    assertEqual(rsa.publicKey.algorithm.modulusLength, 2048);
    const pss = { name: 'RSA-PSS', saltLength: 32 };
    const rsaSig = await crypto.subtle.sign(pss, rsa.privateKey, message);
    assertEqual(rsaSig.byteLength, 256);
    assertEqual(await crypto.subtle.verify(pss, rsa.publicKey, rsaSig, message), true);
    const rsaJwk = await crypto.subtle.exportKey('jwk', rsa.privateKey);
    assertEqual(rsaJwk.alg, 'PS256');
    const pkcs1 = await crypto.subtle.importKey('jwk', { ...rsaJwk, alg: 'RS256' },
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    const pkcs1Sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pkcs1, message);
    const pkcs1Public = await crypto.subtle.importKey('spki',
      await crypto.subtle.exportKey('spki', rsa.publicKey),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    assertEqual(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', pkcs1Public, pkcs1Sig, message),
      true);
    // Bounded: generation runs in one native call.
    await assertRejects(() => crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 16384, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false,
    ['sign']), DOMException, /RSA modulus length/);
    await assertRejects(() => crypto.subtle.exportKey('spki', rsa.privateKey), DOMException,
      /cannot be exported as "spki"/);
  },
};

export const ed25519 = {
  async test() {
    // RFC 8032, test 1: the empty message.
    const secret = unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const publicRaw = unhex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const expected = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
      '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(publicRaw), d: b64url(secret) };
    const privateKey = await crypto.subtle.importKey('jwk', jwk, 'Ed25519', true, ['sign']);
    assertDeepEqual(privateKey.algorithm, { name: 'Ed25519' });
    const signature = await crypto.subtle.sign('Ed25519', privateKey, new Uint8Array(0));
    assertEqual(hex(signature), expected);
    const publicKey = await crypto.subtle.importKey('raw', publicRaw, { name: 'Ed25519' }, true,
      ['verify']);
    assertEqual(await crypto.subtle.verify('Ed25519', publicKey, signature, new Uint8Array(0)),
      true);
    assertEqual(await crypto.subtle.verify('Ed25519', publicKey, signature, utf8('x')), false);
    assertEqual(hex(await crypto.subtle.exportKey('raw', publicKey)), hex(publicRaw));
    assertDeepEqual(await crypto.subtle.exportKey('jwk', privateKey),
      { key_ops: ['sign'], ext: true, alg: 'EdDSA', ...jwk });
    await assertRejects(() => crypto.subtle.importKey('jwk', { ...jwk, x: b64url(secret) },
      'Ed25519', false, ['sign']), DOMException, /Invalid/);
    const pair = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
    const s = await crypto.subtle.sign('Ed25519', pair.privateKey, utf8('hello'));
    assertEqual(await crypto.subtle.verify('Ed25519', pair.publicKey, s, utf8('hello')), true);
  },
};

export const rsaOaep = {
  async test() {
    const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true,
    ['encrypt', 'decrypt']);
    assertDeepEqual(pair.publicKey.usages, ['encrypt']);
    assertDeepEqual(pair.privateKey.usages, ['decrypt']);
    const sealed = await crypto.subtle.encrypt({ name: 'RSA-OAEP', label: utf8('l') },
      pair.publicKey, utf8('secret'));
    assertEqual(sealed.byteLength, 256);
    const opened = await crypto.subtle.decrypt({ name: 'RSA-OAEP', label: utf8('l') },
      pair.privateKey, sealed);
    assertEqual(new TextDecoder().decode(opened), 'secret');
    await assertRejects(() => crypto.subtle.decrypt({ name: 'RSA-OAEP', label: utf8('m') },
      pair.privateKey, sealed), DOMException, /^RSA-OAEP failed encrypt\/decrypt\.$/);
    await assertRejects(() => crypto.subtle.encrypt({ name: 'RSA-OAEP' }, pair.publicKey,
      new Uint8Array(300)), DOMException, /RSA-OAEP failed encrypt\/decrypt/);
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    assertEqual(jwk.alg, 'RSA-OAEP-256');
  },
};

export const keyWrapping = {
  async test() {
    // RFC 3394 4.1: a 128-bit key wrapped with a 128-bit KEK.
    const kek = await crypto.subtle.importKey('raw', unhex('000102030405060708090a0b0c0d0e0f'),
      'AES-KW', false, ['wrapKey', 'unwrapKey']);
    const key = await crypto.subtle.importKey('raw', unhex('00112233445566778899aabbccddeeff'),
      'AES-GCM', true, ['encrypt', 'decrypt']);
    const wrapped = await crypto.subtle.wrapKey('raw', key, kek, 'AES-KW');
    assertEqual(hex(wrapped), '1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    const unwrapped = await crypto.subtle.unwrapKey('raw', wrapped, kek, 'AES-KW', 'AES-GCM', true,
      ['encrypt']);
    assertEqual(hex(await crypto.subtle.exportKey('raw', unwrapped)),
      '00112233445566778899aabbccddeeff');
    const bad = new Uint8Array(wrapped);
    bad[0] ^= 1;
    await assertRejects(() => crypto.subtle.unwrapKey('raw', bad, kek, 'AES-KW', 'AES-GCM', true,
      ['encrypt']), DOMException, /^AES-KW key unwrapping failed\.$/);
    // A JWK through AES-GCM.
    const gcm = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false,
      ['wrapKey', 'unwrapKey']);
    const iv = new Uint8Array(12);
    const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
    const sealed = await crypto.subtle.wrapKey('jwk', hmac, gcm, { name: 'AES-GCM', iv });
    const back = await crypto.subtle.unwrapKey('jwk', sealed, gcm, { name: 'AES-GCM', iv },
      { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
    assertEqual(hex(await crypto.subtle.exportKey('raw', back)),
      hex(await crypto.subtle.exportKey('raw', hmac)));
    await assertRejects(() => crypto.subtle.wrapKey('raw', kek, gcm, { name: 'AES-GCM', iv }),
      DOMException, /non-extractable/);
  },
};

export const keyAgreement = {
  async test() {
    for (const [algorithm, bits] of [[{ name: 'ECDH', namedCurve: 'P-256' }, 256],
      [{ name: 'X25519' }, 256]]) {
      const alice = await crypto.subtle.generateKey(algorithm, true, ['deriveBits']);
      const bob = await crypto.subtle.generateKey(algorithm, true, ['deriveBits', 'deriveKey']);
      assertDeepEqual(alice.publicKey.usages, []);
      const ab = await crypto.subtle.deriveBits({ name: algorithm.name, public: bob.publicKey },
        alice.privateKey, bits);
      const ba = await crypto.subtle.deriveBits({ name: algorithm.name, public: alice.publicKey },
        bob.privateKey, bits);
      assertEqual(hex(ab), hex(ba), algorithm.name);
      // The public half through JWK and raw, as a peer would send it.
      const raw = await crypto.subtle.exportKey('raw', bob.publicKey);
      const peer = await crypto.subtle.importKey('raw', raw, algorithm, true, []);
      const again = await crypto.subtle.deriveBits({ name: algorithm.name, public: peer },
        alice.privateKey, 128);
      assertEqual(hex(again), hex(ab).slice(0, 32));
      const aes = await crypto.subtle.deriveKey({ name: algorithm.name, public: alice.publicKey },
        bob.privateKey, { name: 'AES-GCM', length: 256 }, false, ['encrypt']);
      assertDeepEqual(aes.algorithm, { name: 'AES-GCM', length: 256 });
      await assertRejects(() => crypto.subtle.deriveBits({ name: algorithm.name,
        public: bob.publicKey }, alice.privateKey, 512), DOMException,
      /^Derived key length \(512 bits\) is too long \(should be at most 256 bits\)\.$/);
    }
    // RFC 7748 6.1: X25519 with fixed keys.
    const alicePrivate = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'X25519',
      d: b64url(unhex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')),
      x: b64url(unhex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')) },
    'X25519', false, ['deriveBits']);
    const bobPublic = await crypto.subtle.importKey('raw',
      unhex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'), 'X25519', false,
      []);
    assertEqual(hex(await crypto.subtle.deriveBits({ name: 'X25519', public: bobPublic },
      alicePrivate, 256)), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  },
};

export const aesCtr = {
  async test() {
    // SP 800-38A F.5.1, CTR-AES128.
    const key = await crypto.subtle.importKey('raw', unhex('2b7e151628aed2a6abf7158809cf4f3c'),
      'AES-CTR', false, ['encrypt', 'decrypt']);
    const counter = unhex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
    const plain = unhex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51');
    const sealed = await crypto.subtle.encrypt({ name: 'AES-CTR', counter, length: 128 }, key,
      plain);
    assertEqual(hex(sealed), '874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff');
    assertEqual(hex(await crypto.subtle.decrypt({ name: 'AES-CTR', counter, length: 128 }, key,
      sealed)), hex(plain));
    // A 4-bit counter at 15 wraps to 0 after one block, leaving the other bits alone.
    const wrapAt = unhex('000000000000000000000000000000ff');
    const short = await crypto.subtle.encrypt({ name: 'AES-CTR', counter: wrapAt, length: 4 },
      key, new Uint8Array(32));
    const second = await crypto.subtle.encrypt({ name: 'AES-CTR',
      counter: unhex('000000000000000000000000000000f0'), length: 128 }, key, new Uint8Array(16));
    assertEqual(hex(short).slice(32), hex(second));
    await assertRejects(() => crypto.subtle.encrypt({ name: 'AES-CTR', counter: wrapAt,
      length: 1 }, key, new Uint8Array(48)), DOMException, /^Counter block values will repeat\.$/);
  },
};
