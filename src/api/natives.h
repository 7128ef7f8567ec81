// Functions the built-in JavaScript calls as `natives.*` (see js/CONTRACT.md).
#pragma once

#include <v8.h>
#include <kj/string.h>

namespace kiln::api {

class JsApi;

void installBasicNatives(v8::Local<v8::Context> context, v8::Local<v8::Object> target);
// log, utf8*, timers, randomness, structuredClone, clock, waitUntil.
void installCompressionNatives(v8::Local<v8::Context> context, v8::Local<v8::Object> target);
void installFetchNatives(v8::Local<v8::Context> context, v8::Local<v8::Object> target,
                         JsApi& api);

void setFunction(v8::Local<v8::Context> context, v8::Local<v8::Object> target,
                 kj::StringPtr name, v8::FunctionCallback callback,
                 v8::Local<v8::Value> data = {});

bool isValidUtf8(kj::ArrayPtr<const kj::byte> bytes);

}  // namespace kiln::api
