// Functions the built-in JavaScript calls as `natives.*` (see js/CONTRACT.md).
#pragma once

#include <v8.h>
#include <kj/string.h>

namespace kiln::api {

class JsApi;

struct NativeFunction {
  const char* name;
  v8::FunctionCallback callback;
};

// Every `natives.*` function, by file. They depend on nothing but the context they run in, so
// they can live in the startup snapshot; snapshot.c++ lists them as external references.
kj::ArrayPtr<const NativeFunction> basicNatives();
// log, utf8*, timers, randomness, structuredClone, clock, waitUntil.
kj::ArrayPtr<const NativeFunction> compressionNatives();
kj::ArrayPtr<const NativeFunction> cryptoNatives();
kj::ArrayPtr<const NativeFunction> fetchNatives();
kj::ArrayPtr<const NativeFunction> rpcNatives();

void installNatives(v8::Local<v8::Context> context, v8::Local<v8::Object> target);

void setFunction(v8::Local<v8::Context> context, v8::Local<v8::Object> target, kj::StringPtr name,
                 v8::FunctionCallback callback, v8::Local<v8::Value> data = {});

bool isValidUtf8(kj::ArrayPtr<const kj::byte> bytes);

}  // namespace kiln::api
