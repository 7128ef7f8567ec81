// natives.crypto*: the OpenSSL half of crypto.subtle (crypto.js). Each takes bytes and returns
// bytes; keys are raw bytes held by the JavaScript CryptoKey. Algorithm names and parameters
// arrive already normalized and checked by crypto.js; a failure of the operation itself (a
// ciphertext that does not authenticate) returns undefined for crypto.js to report.

#include "src/api/natives.h"
#include "src/js/value.h"

#include <kj/debug.h>
#include <kj/vector.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace kiln::api {
namespace {

const EVP_MD* digestByName(kj::StringPtr name) {
  if (name == "MD5")
    return EVP_md5();  // Not Web Crypto's, but Workers offers it for digest().
  if (name == "SHA-1")
    return EVP_sha1();
  if (name == "SHA-256")
    return EVP_sha256();
  if (name == "SHA-384")
    return EVP_sha384();
  if (name == "SHA-512")
    return EVP_sha512();
  return nullptr;
}

bool readArgs(const v8::FunctionCallbackInfo<v8::Value>& info, const EVP_MD*& md,
              kj::ArrayPtr<kj::byte>& data, int dataIndex) {
  auto isolate = info.GetIsolate();
  md = digestByName(js::toKj(isolate, info[0]));
  if (md == nullptr) {
    js::throwTypeError(isolate, "Unrecognized hash algorithm.");
    return false;
  }
  KJ_IF_MAYBE (bytes, js::viewBytes(info[dataIndex])) {
    data = *bytes;
    return true;
  }
  js::throwTypeError(isolate, "The data must be an ArrayBuffer or ArrayBufferView.");
  return false;
}

void returnBytes(const v8::FunctionCallbackInfo<v8::Value>& info, const unsigned char* bytes,
                 size_t size) {
  v8::Local<v8::ArrayBuffer> buffer;
  if (!js::newArrayBuffer(info.GetIsolate(), size).ToLocal(&buffer))
    return;  // RangeError thrown: past the memory budget.
  if (size > 0)
    memcpy(buffer->Data(), bytes, size);
  info.GetReturnValue().Set(buffer);
}

void nativeCryptoDigest(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // (hashName, bytes) → ArrayBuffer
  const EVP_MD* md;
  kj::ArrayPtr<kj::byte> data;
  if (!readArgs(info, md, data, 1))
    return;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  KJ_ASSERT(EVP_Digest(data.begin(), data.size(), out, &size, md, nullptr) == 1);
  returnBytes(info, out, size);
}

void nativeCryptoHmac(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // (hashName, keyBytes, dataBytes) → ArrayBuffer
  const EVP_MD* md;
  kj::ArrayPtr<kj::byte> data;
  if (!readArgs(info, md, data, 2))
    return;
  kj::ArrayPtr<kj::byte> key;
  KJ_IF_MAYBE (bytes, js::viewBytes(info[1])) {
    key = *bytes;
  } else {
    js::throwTypeError(info.GetIsolate(), "The key must be an ArrayBuffer or ArrayBufferView.");
    return;
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t size = 0;
  // An empty key is legal for HMAC; OpenSSL wants a non-null pointer.
  static const unsigned char empty = 0;
  auto result = EVP_Q_mac(nullptr, "HMAC", nullptr, EVP_MD_get0_name(md), nullptr,
                          key.size() > 0 ? key.begin() : &empty, key.size(), data.begin(),
                          data.size(), out, sizeof(out), &size);
  KJ_ASSERT(result != nullptr, "HMAC failed");
  returnBytes(info, out, size);
}

kj::ArrayPtr<kj::byte> bytesArg(const v8::FunctionCallbackInfo<v8::Value>& info, int index) {
  // crypto.js passes Uint8Arrays; anything else is a bug there, not the tenant's.
  return KJ_ASSERT_NONNULL(js::viewBytes(info[index]));
}

const EVP_CIPHER* aesCipher(kj::StringPtr mode, size_t keyBytes) {
  // AES-CTR here counts through all 128 bits: crypto.js splits the data where Web Crypto's
  // shorter counter would wrap.
  int index = keyBytes == 16 ? 0 : keyBytes == 24 ? 1 : keyBytes == 32 ? 2 : -1;
  if (index < 0)
    return nullptr;
  if (mode == "AES-GCM")
    return (const EVP_CIPHER*[]){EVP_aes_128_gcm(), EVP_aes_192_gcm(), EVP_aes_256_gcm()}[index];
  if (mode == "AES-CTR")
    return (const EVP_CIPHER*[]){EVP_aes_128_ctr(), EVP_aes_192_ctr(), EVP_aes_256_ctr()}[index];
  return (const EVP_CIPHER*[]){EVP_aes_128_cbc(), EVP_aes_192_cbc(), EVP_aes_256_cbc()}[index];
}

void nativeCryptoAes(const v8::FunctionCallbackInfo<v8::Value>& info) {
  ERR_clear_error();  // What a failed call left behind must not reach this one.
  // (mode "AES-GCM" | "AES-CBC" | "AES-CTR", encrypt, key, iv, data, additionalData, tagBytes)
  //   → ArrayBuffer (GCM: ciphertext then tag), or undefined when decryption fails.
  auto isolate = info.GetIsolate();
  auto mode = js::toKj(isolate, info[0]);
  int encrypt = info[1]->BooleanValue(isolate) ? 1 : 0;
  auto key = bytesArg(info, 2), iv = bytesArg(info, 3), data = bytesArg(info, 4);
  bool gcm = mode == "AES-GCM";
  size_t tagBytes = gcm ? size_t(info[6].As<v8::Number>()->Value()) : 0;
  auto cipher = aesCipher(mode, key.size());
  KJ_ASSERT(cipher != nullptr);
  auto ctx = EVP_CIPHER_CTX_new();
  KJ_ASSERT(ctx != nullptr);
  KJ_DEFER(EVP_CIPHER_CTX_free(ctx));
  KJ_ASSERT(EVP_CipherInit_ex(ctx, cipher, nullptr, nullptr, nullptr, encrypt) == 1);
  if (gcm)
    KJ_ASSERT(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, iv.size(), nullptr) == 1);
  KJ_ASSERT(EVP_CipherInit_ex(ctx, nullptr, nullptr, key.begin(), iv.begin(), encrypt) == 1);
  int len = 0;
  if (gcm && info[5]->IsArrayBufferView()) {
    auto aad = bytesArg(info, 5);
    KJ_ASSERT(EVP_CipherUpdate(ctx, nullptr, &len, aad.begin(), aad.size()) == 1);
  }
  auto input = data;
  if (gcm && !encrypt) {
    if (data.size() < tagBytes)
      return;  // Too short to hold the tag: it cannot authenticate.
    input = data.slice(0, data.size() - tagBytes);
    auto tag = data.slice(input.size(), data.size());
    KJ_ASSERT(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, tagBytes, tag.begin()) == 1);
  }
  auto out = kj::heapArray<kj::byte>(input.size() + EVP_MAX_BLOCK_LENGTH + tagBytes);
  static kj::byte none = 0;
  KJ_ASSERT(EVP_CipherUpdate(ctx, out.begin(), &len, input.size() > 0 ? input.begin() : &none,
                             input.size()) == 1);
  int finalLen = 0;
  if (EVP_CipherFinal_ex(ctx, out.begin() + len, &finalLen) != 1)
    return;  // Bad tag or padding.
  size_t total = len + finalLen;
  if (gcm && encrypt) {
    KJ_ASSERT(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, tagBytes, out.begin() + total) == 1);
    total += tagBytes;
  }
  returnBytes(info, out.begin(), total);
}

void nativeCryptoPbkdf2(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // (hashName, password, salt, iterations, lengthBytes) → ArrayBuffer. crypto.js bounds the
  // iterations and length: this runs in one OpenSSL call, out of reach of the CPU watchdog.
  const EVP_MD* md;
  kj::ArrayPtr<kj::byte> password;
  if (!readArgs(info, md, password, 1))
    return;
  auto salt = bytesArg(info, 2);
  int iterations = int(info[3].As<v8::Number>()->Value());
  size_t length = size_t(info[4].As<v8::Number>()->Value());
  auto out = kj::heapArray<kj::byte>(kj::max(length, size_t(1)));
  static const char empty = 0;
  static const unsigned char noSalt = 0;
  KJ_ASSERT(PKCS5_PBKDF2_HMAC(
                password.size() > 0 ? reinterpret_cast<const char*>(password.begin()) : &empty,
                password.size(), salt.size() > 0 ? salt.begin() : &noSalt, salt.size(), iterations,
                md, length, out.begin()) == 1);
  returnBytes(info, out.begin(), length);
}

void nativeCryptoHkdf(const v8::FunctionCallbackInfo<v8::Value>& info) {
  ERR_clear_error();  // What a failed call left behind must not reach this one.
  // (hashName, key, salt, info, lengthBytes) → ArrayBuffer, or undefined past HKDF's limit.
  const EVP_MD* md;
  kj::ArrayPtr<kj::byte> key;
  if (!readArgs(info, md, key, 1))
    return;
  auto salt = bytesArg(info, 2), label = bytesArg(info, 3);
  size_t length = size_t(info[4].As<v8::Number>()->Value());
  auto ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  KJ_ASSERT(ctx != nullptr);
  KJ_DEFER(EVP_PKEY_CTX_free(ctx));
  static const kj::byte none = 0;
  auto out = kj::heapArray<kj::byte>(kj::max(length, size_t(1)));
  if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_CTX_set_hkdf_md(ctx, md) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt.size() > 0 ? salt.begin() : &none, salt.size()) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx, key.size() > 0 ? key.begin() : &none, key.size()) != 1 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx, label.size() > 0 ? label.begin() : &none, label.size()) !=
          1 ||
      EVP_PKEY_derive(ctx, out.begin(), &length) != 1) {
    return;
  }
  returnBytes(info, out.begin(), length);
}

// Public keys travel as SPKI DER. Curves by their Web Crypto names.
struct Curve {
  const char* web;
  const char* openssl;
  size_t bytes;
};
const Curve CURVES[] = {
    {"P-256", "prime256v1", 32}, {"P-384", "secp384r1", 48}, {"P-521", "secp521r1", 66}};

kj::Maybe<const Curve&> curveByName(kj::StringPtr name, bool web) {
  for (auto& curve: CURVES) {
    if (name == (web ? curve.web : curve.openssl))
      return curve;
  }
  return nullptr;
}

EVP_PKEY* parseSpki(kj::ArrayPtr<const kj::byte> der) {
  const unsigned char* p = der.begin();
  return d2i_PUBKEY(nullptr, &p, der.size());
}

bool pushEcPoint(const v8::FunctionCallbackInfo<v8::Value>& info, OSSL_PARAM_BLD* bld,
                 kj::Array<kj::byte>& point) {
  // Arguments (_, curve, x, y): the curve's name and public point, uncompressed. `point` must
  // outlive the parameters built from `bld`.
  auto& curve = KJ_ASSERT_NONNULL(curveByName(js::toKj(info.GetIsolate(), info[1]), true));
  auto x = bytesArg(info, 2), y = bytesArg(info, 3);
  if (x.size() != curve.bytes || y.size() != curve.bytes)
    return false;
  point = kj::heapArray<kj::byte>(1 + 2 * curve.bytes);
  point[0] = 4;  // Uncompressed.
  memcpy(point.begin() + 1, x.begin(), x.size());
  memcpy(point.begin() + 1 + x.size(), y.begin(), y.size());
  KJ_ASSERT(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve.openssl, 0));
  KJ_ASSERT(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.begin(),
                                             point.size()) == 1);
  return true;
}

v8::Local<v8::Value> bytesValue(v8::Isolate* isolate, const BIGNUM* bn, size_t width = 0) {
  size_t size = width > 0 ? width : BN_num_bytes(bn);
  v8::Local<v8::ArrayBuffer> buffer;
  if (!js::newArrayBuffer(isolate, size).ToLocal(&buffer))
    return v8::Undefined(isolate);
  BN_bn2binpad(bn, static_cast<unsigned char*>(buffer->Data()), size);
  return v8::Uint8Array::New(buffer, 0, size);
}

v8::MaybeLocal<v8::ArrayBuffer> spkiOf(v8::Isolate* isolate, EVP_PKEY* pkey) {
  // The key's public half as SPKI DER.
  int size = i2d_PUBKEY(pkey, nullptr);
  v8::Local<v8::ArrayBuffer> spki;
  if (size <= 0 || !js::newArrayBuffer(isolate, size).ToLocal(&spki))
    return {};
  auto out = static_cast<unsigned char*>(spki->Data());
  i2d_PUBKEY(pkey, &out);
  return spki;
}

EVP_PKEY* keyFromParams(OSSL_PARAM_BLD* bld, bool rsa, int selection) {
  // An RSA or EC key from JWK components, or null when they do not make a valid key: a public
  // key must pass OpenSSL's public check (a point on the curve), a pair its pairwise check.
  auto params = OSSL_PARAM_BLD_to_param(bld);
  KJ_ASSERT(params != nullptr);
  KJ_DEFER(OSSL_PARAM_free(params));
  auto ctx = EVP_PKEY_CTX_new_from_name(nullptr, rsa ? "RSA" : "EC", nullptr);
  KJ_ASSERT(ctx != nullptr);
  KJ_DEFER(EVP_PKEY_CTX_free(ctx));
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1)
    return nullptr;
  auto check = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  KJ_DEFER(EVP_PKEY_CTX_free(check));
  bool valid =
      check != nullptr && (selection == EVP_PKEY_KEYPAIR ? EVP_PKEY_pairwise_check(check)
                                                         : EVP_PKEY_public_check(check)) == 1;
  if (!valid) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  return pkey;
}

void returnKeyPair(const v8::FunctionCallbackInfo<v8::Value>& info, EVP_PKEY* pkey);

template <typename Set>
bool setRawKey(v8::Isolate* isolate, EVP_PKEY* pkey, bool withPrivate, Set& set) {
  // An Ed25519 or X25519 key as { kind: "OKP", curve, x[, d] }: its raw 32-byte halves.
  auto raw = [&](bool priv) -> v8::Local<v8::Value> {
    size_t size = 0;
    auto get = priv ? EVP_PKEY_get_raw_private_key : EVP_PKEY_get_raw_public_key;
    if (get(pkey, nullptr, &size) != 1)
      return {};
    v8::Local<v8::ArrayBuffer> buffer;
    if (!js::newArrayBuffer(isolate, size).ToLocal(&buffer) ||
        get(pkey, static_cast<unsigned char*>(buffer->Data()), &size) != 1)
      return {};
    return v8::Uint8Array::New(buffer, 0, size);
  };
  auto x = raw(false);
  if (x.IsEmpty())
    return false;
  bool x25519 = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_X25519;
  set("kind", js::newString(isolate, "OKP"));
  set("curve", js::newString(isolate, x25519 ? "X25519" : "Ed25519"));
  set("x", x);
  if (withPrivate) {
    auto d = raw(true);
    if (d.IsEmpty())
      return false;
    set("d", d);
  }
  return true;
}

void nativeCryptoOkpFromRaw(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // (isPrivate, bytes, curve "Ed25519" | "X25519") → SPKI DER of a raw public key, or
  // { pkcs8, spki } of a raw private key; undefined when the bytes are not a key.
  ERR_clear_error();
  auto isolate = info.GetIsolate();
  bool isPrivate = info[0]->BooleanValue(isolate);
  auto bytes = bytesArg(info, 1);
  int type = js::toKj(isolate, info[2]) == "X25519" ? EVP_PKEY_X25519 : EVP_PKEY_ED25519;
  auto pkey = isPrivate ? EVP_PKEY_new_raw_private_key(type, nullptr, bytes.begin(), bytes.size())
                        : EVP_PKEY_new_raw_public_key(type, nullptr, bytes.begin(), bytes.size());
  if (pkey == nullptr)
    return;
  KJ_DEFER(EVP_PKEY_free(pkey));
  if (isPrivate) {
    returnKeyPair(info, pkey);
    return;
  }
  v8::Local<v8::ArrayBuffer> spki;
  if (spkiOf(isolate, pkey).ToLocal(&spki))
    info.GetReturnValue().Set(spki);
}

void nativeCryptoPublicKeyFromJwk(const v8::FunctionCallbackInfo<v8::Value>& info) {
  ERR_clear_error();  // What a failed call left behind must not reach this one.
  // ("RSA", n, e) or ("EC", curve, x, y) → ArrayBuffer of the SPKI DER, or undefined when the
  // values do not make a valid key (a point off the curve, say).
  auto isolate = info.GetIsolate();
  bool rsa = js::toKj(isolate, info[0]) == "RSA";
  auto bld = OSSL_PARAM_BLD_new();
  KJ_ASSERT(bld != nullptr);
  KJ_DEFER(OSSL_PARAM_BLD_free(bld));
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  KJ_DEFER(BN_free(n); BN_free(e));
  kj::Array<kj::byte> point;
  if (rsa) {
    auto nBytes = bytesArg(info, 1), eBytes = bytesArg(info, 2);
    n = BN_bin2bn(nBytes.begin(), nBytes.size(), nullptr);
    e = BN_bin2bn(eBytes.begin(), eBytes.size(), nullptr);
    KJ_ASSERT(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1);
    KJ_ASSERT(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1);
  } else {
    if (!pushEcPoint(info, bld, point))
      return;
  }
  auto pkey = keyFromParams(bld, rsa, EVP_PKEY_PUBLIC_KEY);
  if (pkey == nullptr)
    return;
  KJ_DEFER(EVP_PKEY_free(pkey));
  v8::Local<v8::ArrayBuffer> spki;
  if (spkiOf(isolate, pkey).ToLocal(&spki))
    info.GetReturnValue().Set(spki);
}

void nativeCryptoPublicKeyInfo(const v8::FunctionCallbackInfo<v8::Value>& info) {
  ERR_clear_error();  // What a failed call left behind must not reach this one.
  // (spki) → { kind: "RSA", bits, n, e } or { kind: "EC", curve, x, y }, or undefined when the
  // bytes are not a public key kiln can use.
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto pkey = parseSpki(bytesArg(info, 0));
  if (pkey == nullptr)
    return;
  KJ_DEFER(EVP_PKEY_free(pkey));
  auto result = v8::Object::New(isolate);
  auto set = [&](const char* name, v8::Local<v8::Value> value) {
    result->Set(context, js::newString(isolate, name), value).Check();
  };
  int type = EVP_PKEY_get_base_id(pkey);
  if (type == EVP_PKEY_RSA) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    KJ_DEFER(BN_free(n); BN_free(e));
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
      return;
    set("kind", js::newString(isolate, "RSA"));
    set("bits", v8::Number::New(isolate, EVP_PKEY_get_bits(pkey)));
    set("n", bytesValue(isolate, n));
    set("e", bytesValue(isolate, e));
  } else if (type == EVP_PKEY_ED25519 || type == EVP_PKEY_X25519) {
    if (!setRawKey(isolate, pkey, false, set))
      return;
  } else if (type == EVP_PKEY_EC) {
    char group[64];
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &length) != 1)
      return;
    KJ_IF_MAYBE (curve, curveByName(group, false)) {
      BIGNUM* x = nullptr;
      BIGNUM* y = nullptr;
      KJ_DEFER(BN_free(x); BN_free(y));
      if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
          EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
        return;
      set("kind", js::newString(isolate, "EC"));
      set("curve", js::newString(isolate, curve->web));
      set("x", bytesValue(isolate, x, curve->bytes));
      set("y", bytesValue(isolate, y, curve->bytes));
    } else {
      return;
    }
  } else {
    return;
  }
  info.GetReturnValue().Set(result);
}

void nativeCryptoVerify(const v8::FunctionCallbackInfo<v8::Value>& info) {
  ERR_clear_error();  // What a failed call left behind must not reach this one.
  // (algorithm "RSASSA-PKCS1-v1_5" | "RSA-PSS" | "ECDSA", spki, hash, signature, data,
  //  saltLength) → boolean. ECDSA signatures are Web Crypto's r || s, not DER.
  auto isolate = info.GetIsolate();
  auto algorithm = js::toKj(isolate, info[0]);
  // Ed25519 hashes internally: no digest of our own.
  auto md = algorithm == "Ed25519" ? nullptr : digestByName(js::toKj(isolate, info[2]));
  KJ_ASSERT(md != nullptr || algorithm == "Ed25519");
  auto signature = bytesArg(info, 3), data = bytesArg(info, 4);
  auto pkey = parseSpki(bytesArg(info, 1));
  KJ_ASSERT(pkey != nullptr);
  KJ_DEFER(EVP_PKEY_free(pkey));
  kj::Array<kj::byte> der;
  kj::ArrayPtr<const kj::byte> sig = signature;
  if (algorithm == "ECDSA") {
    size_t half = (EVP_PKEY_get_bits(pkey) + 7) / 8;
    if (signature.size() != 2 * half) {
      info.GetReturnValue().Set(false);
      return;
    }
    auto ecdsa = ECDSA_SIG_new();
    KJ_DEFER(ECDSA_SIG_free(ecdsa));
    ECDSA_SIG_set0(ecdsa, BN_bin2bn(signature.begin(), half, nullptr),
                   BN_bin2bn(signature.begin() + half, half, nullptr));
    int size = i2d_ECDSA_SIG(ecdsa, nullptr);
    der = kj::heapArray<kj::byte>(size);
    auto out = der.begin();
    i2d_ECDSA_SIG(ecdsa, &out);
    sig = der;
  }
  auto mdctx = EVP_MD_CTX_new();
  KJ_DEFER(EVP_MD_CTX_free(mdctx));
  EVP_PKEY_CTX* pctx = nullptr;
  KJ_ASSERT(EVP_DigestVerifyInit(mdctx, &pctx, md, nullptr, pkey) == 1);
  if (algorithm == "RSA-PSS") {
    KJ_ASSERT(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    KJ_ASSERT(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, int(info[5].As<v8::Number>()->Value())) == 1);
  }
  static const kj::byte none = 0;
  bool ok = EVP_DigestVerify(mdctx, sig.size() > 0 ? sig.begin() : &none, sig.size(),
                             data.size() > 0 ? data.begin() : &none, data.size()) == 1;
  info.GetReturnValue().Set(ok);
}

// Private keys travel as PKCS#8 DER.
EVP_PKEY* parsePkcs8(kj::ArrayPtr<const kj::byte> der) {
  const unsigned char* p = der.begin();
  auto info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, der.size());
  if (info == nullptr)
    return nullptr;
  KJ_DEFER(PKCS8_PRIV_KEY_INFO_free(info));
  return EVP_PKCS82PKEY(info);
}

// Sets the result to { pkcs8, spki } of a key pair, or leaves it undefined.
void returnKeyPair(const v8::FunctionCallbackInfo<v8::Value>& info, EVP_PKEY* pkey) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto p8 = EVP_PKEY2PKCS8(pkey);
  if (p8 == nullptr)
    return;
  KJ_DEFER(PKCS8_PRIV_KEY_INFO_free(p8));
  int privateSize = i2d_PKCS8_PRIV_KEY_INFO(p8, nullptr);
  v8::Local<v8::ArrayBuffer> privateDer, publicDer;
  if (privateSize <= 0 || !js::newArrayBuffer(isolate, privateSize).ToLocal(&privateDer) ||
      !spkiOf(isolate, pkey).ToLocal(&publicDer))
    return;
  auto out = static_cast<unsigned char*>(privateDer->Data());
  i2d_PKCS8_PRIV_KEY_INFO(p8, &out);
  auto result = v8::Object::New(isolate);
  result->Set(context, js::newString(isolate, "pkcs8"), privateDer).Check();
  result->Set(context, js::newString(isolate, "spki"), publicDer).Check();
  info.GetReturnValue().Set(result);
}

const char* const RSA_PRIVATE_PARAMS[] = {
    OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,
    OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};

void nativeCryptoPrivateKeyFromJwk(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // ("RSA", n, e, d, p, q, dp, dq, qi) or ("EC", curve, x, y, d) → { pkcs8, spki }, or
  // undefined when the values are not a consistent key pair.
  ERR_clear_error();
  auto isolate = info.GetIsolate();
  bool rsa = js::toKj(isolate, info[0]) == "RSA";
  auto bld = OSSL_PARAM_BLD_new();
  KJ_ASSERT(bld != nullptr);
  KJ_DEFER(OSSL_PARAM_BLD_free(bld));
  kj::Vector<BIGNUM*> numbers;
  KJ_DEFER(for (auto n : numbers) BN_clear_free(n));
  auto push = [&](const char* name, int index) {
    auto bytes = bytesArg(info, index);
    numbers.add(BN_bin2bn(bytes.begin(), bytes.size(), nullptr));
    KJ_ASSERT(OSSL_PARAM_BLD_push_BN(bld, name, numbers.back()) == 1);
  };
  kj::Array<kj::byte> point;
  if (rsa) {
    push(OSSL_PKEY_PARAM_RSA_N, 1);
    push(OSSL_PKEY_PARAM_RSA_E, 2);
    for (int i = 0; i < 6; i++)
      push(RSA_PRIVATE_PARAMS[i], 3 + i);
  } else {
    if (!pushEcPoint(info, bld, point))
      return;
    push(OSSL_PKEY_PARAM_PRIV_KEY, 4);
  }
  auto pkey = keyFromParams(bld, rsa, EVP_PKEY_KEYPAIR);
  if (pkey == nullptr)
    return;
  KJ_DEFER(EVP_PKEY_free(pkey));
  returnKeyPair(info, pkey);
}

void nativeCryptoPrivateKeyInfo(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // (pkcs8) → { kind, spki, bits, n, e, d, p, q, dp, dq, qi } or { kind, spki, curve, x, y, d },
  // or undefined when the bytes are not an RSA or EC private key.
  ERR_clear_error();
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto pkey = parsePkcs8(bytesArg(info, 0));
  if (pkey == nullptr)
    return;
  KJ_DEFER(EVP_PKEY_free(pkey));
  auto result = v8::Object::New(isolate);
  auto set = [&](const char* name, v8::Local<v8::Value> value) {
    result->Set(context, js::newString(isolate, name), value).Check();
  };
  auto setBn = [&](const char* name, const char* param, size_t width) -> bool {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
      return false;
    set(name, bytesValue(isolate, bn, width));
    BN_clear_free(bn);
    return true;
  };
  int type = EVP_PKEY_get_base_id(pkey);
  if (type == EVP_PKEY_RSA) {
    const char* names[] = {"d", "p", "q", "dp", "dq", "qi"};
    set("kind", js::newString(isolate, "RSA"));
    set("bits", v8::Number::New(isolate, EVP_PKEY_get_bits(pkey)));
    if (!setBn("n", OSSL_PKEY_PARAM_RSA_N, 0) || !setBn("e", OSSL_PKEY_PARAM_RSA_E, 0))
      return;
    for (int i = 0; i < 6; i++) {
      if (!setBn(names[i], RSA_PRIVATE_PARAMS[i], 0))
        return;
    }
  } else if (type == EVP_PKEY_ED25519 || type == EVP_PKEY_X25519) {
    if (!setRawKey(isolate, pkey, true, set))
      return;
  } else if (type == EVP_PKEY_EC) {
    char group[64];
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &length) != 1)
      return;
    KJ_IF_MAYBE (curve, curveByName(group, false)) {
      set("kind", js::newString(isolate, "EC"));
      set("curve", js::newString(isolate, curve->web));
      if (!setBn("x", OSSL_PKEY_PARAM_EC_PUB_X, curve->bytes) ||
          !setBn("y", OSSL_PKEY_PARAM_EC_PUB_Y, curve->bytes) ||
          !setBn("d", OSSL_PKEY_PARAM_PRIV_KEY, curve->bytes))
        return;
    } else {
      return;
    }
  } else {
    return;
  }
  v8::Local<v8::ArrayBuffer> spki;
  if (!spkiOf(isolate, pkey).ToLocal(&spki))
    return;
  set("spki", spki);
  info.GetReturnValue().Set(result);
}

void nativeCryptoSign(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // (algorithm, pkcs8, hash, data, saltLength) → ArrayBuffer; ECDSA signatures as r || s.
  ERR_clear_error();
  auto isolate = info.GetIsolate();
  auto algorithm = js::toKj(isolate, info[0]);
  auto md = algorithm == "Ed25519" ? nullptr : digestByName(js::toKj(isolate, info[2]));
  KJ_ASSERT(md != nullptr || algorithm == "Ed25519");
  auto data = bytesArg(info, 3);
  auto pkey = parsePkcs8(bytesArg(info, 1));
  KJ_ASSERT(pkey != nullptr);
  KJ_DEFER(EVP_PKEY_free(pkey));
  auto mdctx = EVP_MD_CTX_new();
  KJ_DEFER(EVP_MD_CTX_free(mdctx));
  EVP_PKEY_CTX* pctx = nullptr;
  KJ_ASSERT(EVP_DigestSignInit(mdctx, &pctx, md, nullptr, pkey) == 1);
  if (algorithm == "RSA-PSS") {
    KJ_ASSERT(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    KJ_ASSERT(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, int(info[4].As<v8::Number>()->Value())) == 1);
  }
  static const kj::byte none = 0;
  size_t size = 0;
  auto input = data.size() > 0 ? data.begin() : &none;
  KJ_ASSERT(EVP_DigestSign(mdctx, nullptr, &size, input, data.size()) == 1);
  auto signature = kj::heapArray<kj::byte>(size);
  if (EVP_DigestSign(mdctx, signature.begin(), &size, input, data.size()) != 1)
    return;  // A salt too long for the modulus, say.
  if (algorithm != "ECDSA") {
    returnBytes(info, signature.begin(), size);
    return;
  }
  const unsigned char* p = signature.begin();
  auto ecdsa = d2i_ECDSA_SIG(nullptr, &p, size);
  KJ_ASSERT(ecdsa != nullptr);
  KJ_DEFER(ECDSA_SIG_free(ecdsa));
  size_t half = (EVP_PKEY_get_bits(pkey) + 7) / 8;
  auto raw = kj::heapArray<kj::byte>(2 * half);
  BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), raw.begin(), half);
  BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), raw.begin() + half, half);
  returnBytes(info, raw.begin(), raw.size());
}

void nativeCryptoGenerateKeyPair(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // ("RSA", modulusBits, publicExponentU8) or ("EC", curve) → { pkcs8, spki }. crypto.js bounds
  // the modulus: generation is one native call out of the CPU watchdog's reach.
  ERR_clear_error();
  auto isolate = info.GetIsolate();
  auto kind = js::toKj(isolate, info[0]);
  bool rsa = kind == "RSA";
  const char* okp = js::toKj(isolate, info[1]) == "X25519" ? "X25519" : "ED25519";
  auto ctx = EVP_PKEY_CTX_new_from_name(nullptr, rsa ? "RSA" : kind == "OKP" ? okp : "EC", nullptr);
  KJ_ASSERT(ctx != nullptr);
  KJ_DEFER(EVP_PKEY_CTX_free(ctx));
  KJ_ASSERT(EVP_PKEY_keygen_init(ctx) == 1);
  BIGNUM* e = nullptr;
  KJ_DEFER(BN_free(e));
  if (rsa) {
    auto exponent = bytesArg(info, 2);
    e = BN_bin2bn(exponent.begin(), exponent.size(), nullptr);
    if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, int(info[1].As<v8::Number>()->Value())) != 1 ||
        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) != 1)
      return;
  } else if (kind == "EC") {
    auto& curve = KJ_ASSERT_NONNULL(curveByName(js::toKj(isolate, info[1]), true));
    KJ_ASSERT(EVP_PKEY_CTX_set_group_name(ctx, curve.openssl) == 1);
  }
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_keygen(ctx, &pkey) != 1)
    return;
  KJ_DEFER(EVP_PKEY_free(pkey));
  returnKeyPair(info, pkey);
}

void nativeCryptoRsaOaep(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // (encrypt, der (SPKI to encrypt, PKCS#8 to decrypt), hash, labelU8OrUndefined, data)
  //   → ArrayBuffer, or undefined when the operation fails (data too long, a bad ciphertext).
  ERR_clear_error();
  auto isolate = info.GetIsolate();
  bool encrypt = info[0]->BooleanValue(isolate);
  auto der = bytesArg(info, 1);
  auto md = digestByName(js::toKj(isolate, info[2]));
  KJ_ASSERT(md != nullptr);
  auto data = bytesArg(info, 4);
  auto pkey = encrypt ? parseSpki(der) : parsePkcs8(der);
  KJ_ASSERT(pkey != nullptr);
  KJ_DEFER(EVP_PKEY_free(pkey));
  auto ctx = EVP_PKEY_CTX_new(pkey, nullptr);
  KJ_ASSERT(ctx != nullptr);
  KJ_DEFER(EVP_PKEY_CTX_free(ctx));
  KJ_ASSERT((encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1);
  KJ_ASSERT(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1);
  KJ_ASSERT(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1);
  KJ_ASSERT(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1);
  if (info[3]->IsArrayBufferView()) {
    auto label = bytesArg(info, 3);
    if (label.size() > 0) {
      // OpenSSL takes ownership of the label.
      auto copy = static_cast<unsigned char*>(OPENSSL_memdup(label.begin(), label.size()));
      KJ_ASSERT(copy != nullptr);
      if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, label.size()) != 1) {
        OPENSSL_free(copy);
        return;
      }
    }
  }
  static const kj::byte none = 0;
  auto input = data.size() > 0 ? data.begin() : &none;
  size_t size = 0;
  auto run = [&](unsigned char* out) {
    return encrypt ? EVP_PKEY_encrypt(ctx, out, &size, input, data.size())
                   : EVP_PKEY_decrypt(ctx, out, &size, input, data.size());
  };
  if (run(nullptr) != 1)
    return;
  auto out = kj::heapArray<kj::byte>(kj::max(size, size_t(1)));
  if (run(out.begin()) != 1)
    return;
  returnBytes(info, out.begin(), size);
}

void nativeCryptoAesKw(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // (wrap, key, data) → ArrayBuffer (RFC 3394), or undefined when unwrapping fails its check.
  // crypto.js checks the sizes: multiples of 8 bytes, at least 16 to wrap and 24 to unwrap.
  ERR_clear_error();
  bool wrap = info[0]->BooleanValue(info.GetIsolate());
  auto key = bytesArg(info, 1), data = bytesArg(info, 2);
  const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_wrap()
                             : key.size() == 24 ? EVP_aes_192_wrap()
                                                : EVP_aes_256_wrap();
  auto ctx = EVP_CIPHER_CTX_new();
  KJ_ASSERT(ctx != nullptr);
  KJ_DEFER(EVP_CIPHER_CTX_free(ctx));
  EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  KJ_ASSERT(EVP_CipherInit_ex(ctx, cipher, nullptr, key.begin(), nullptr, wrap ? 1 : 0) == 1);
  auto out = kj::heapArray<kj::byte>(data.size() + 16);
  int len = 0, finalLen = 0;
  if (EVP_CipherUpdate(ctx, out.begin(), &len, data.begin(), data.size()) != 1 ||
      EVP_CipherFinal_ex(ctx, out.begin() + len, &finalLen) != 1)
    return;
  returnBytes(info, out.begin(), len + finalLen);
}

void nativeCryptoEcdh(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // (privatePkcs8, peerSpki) → ArrayBuffer of the shared secret (ECDH or X25519), or undefined
  // when the keys do not agree (another curve, a low-order X25519 point).
  ERR_clear_error();
  auto own = parsePkcs8(bytesArg(info, 0));
  auto peer = parseSpki(bytesArg(info, 1));
  KJ_DEFER(EVP_PKEY_free(own); EVP_PKEY_free(peer));
  if (own == nullptr || peer == nullptr)
    return;
  auto ctx = EVP_PKEY_CTX_new(own, nullptr);
  KJ_ASSERT(ctx != nullptr);
  KJ_DEFER(EVP_PKEY_CTX_free(ctx));
  size_t size = 0;
  if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, peer) != 1 ||
      EVP_PKEY_derive(ctx, nullptr, &size) != 1)
    return;
  auto out = kj::heapArray<kj::byte>(kj::max(size, size_t(1)));
  if (EVP_PKEY_derive(ctx, out.begin(), &size) != 1)
    return;
  returnBytes(info, out.begin(), size);
}

const NativeFunction CRYPTO_NATIVES[] = {
    {"cryptoEcdh", &nativeCryptoEcdh},
    {"cryptoAesKw", &nativeCryptoAesKw},
    {"cryptoRsaOaep", &nativeCryptoRsaOaep},
    {"cryptoPrivateKeyFromJwk", &nativeCryptoPrivateKeyFromJwk},
    {"cryptoPrivateKeyInfo", &nativeCryptoPrivateKeyInfo},
    {"cryptoSign", &nativeCryptoSign},
    {"cryptoGenerateKeyPair", &nativeCryptoGenerateKeyPair},
    {"cryptoOkpFromRaw", &nativeCryptoOkpFromRaw},
    {"cryptoPublicKeyFromJwk", &nativeCryptoPublicKeyFromJwk},
    {"cryptoPublicKeyInfo", &nativeCryptoPublicKeyInfo},
    {"cryptoVerify", &nativeCryptoVerify},
    {"cryptoDigest", &nativeCryptoDigest},
    {"cryptoHmac", &nativeCryptoHmac},
    {"cryptoAes", &nativeCryptoAes},
    {"cryptoPbkdf2", &nativeCryptoPbkdf2},
    {"cryptoHkdf", &nativeCryptoHkdf},
};

}  // namespace

kj::ArrayPtr<const NativeFunction> cryptoNatives() {
  return CRYPTO_NATIVES;
}

}  // namespace kiln::api
