// natives.cryptoDigest, natives.cryptoHmac: the OpenSSL half of crypto.subtle (crypto.js).
// Each takes bytes and returns bytes; keys are raw bytes held by the JavaScript CryptoKey.
// Algorithm names arrive already normalized by crypto.js ("SHA-256", ...).

#include "src/api/natives.h"
#include "src/js/value.h"

#include <kj/debug.h>
#include <openssl/evp.h>

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

const NativeFunction CRYPTO_NATIVES[] = {
    {"cryptoDigest", &nativeCryptoDigest},
    {"cryptoHmac", &nativeCryptoHmac},
};

}  // namespace

kj::ArrayPtr<const NativeFunction> cryptoNatives() {
  return CRYPTO_NATIVES;
}

}  // namespace kiln::api
