// Small conversions between V8 values and KJ types, and typed errors for JavaScript.
#pragma once

#include <v8.h>
#include <kj/array.h>
#include <kj/string.h>

namespace kiln::js {

v8::Local<v8::String> newString(v8::Isolate* isolate, kj::StringPtr text);
v8::Local<v8::String> newStringFromChars(v8::Isolate* isolate, kj::ArrayPtr<const char> text);
kj::String toKj(v8::Isolate* isolate, v8::Local<v8::Value> value);
// ToString() of the value; never throws (a value whose conversion throws gives "[object]").

v8::MaybeLocal<v8::ArrayBuffer> newArrayBuffer(v8::Isolate* isolate, size_t size);
v8::MaybeLocal<v8::Uint8Array> newBytes(v8::Isolate* isolate, kj::ArrayPtr<const kj::byte> bytes);
// Empty, with a RangeError pending, when the isolate's ArrayBuffer budget is spent. (V8's
// ArrayBuffer::New ends the whole process when its allocator refuses: natives never call it.)
kj::Maybe<kj::ArrayPtr<kj::byte>> viewBytes(v8::Local<v8::Value> value);
// The bytes of an ArrayBuffer or ArrayBufferView, in place; null for anything else.

enum class ErrorType { ERROR, TYPE_ERROR, RANGE_ERROR, SYNTAX_ERROR };
v8::Local<v8::Value> newError(v8::Isolate* isolate, ErrorType type, kj::StringPtr message);
void throwError(v8::Isolate* isolate, ErrorType type, kj::StringPtr message);

v8::Local<v8::Value> newNamedError(v8::Local<v8::Context> context, kj::StringPtr name,
                                   kj::StringPtr message);
// An error of the built-in class called `name` (TypeError, SyntaxError, EvalError, …), or a
// plain Error for any other name: how an error from another worker arrives.

void guardedCallback(const v8::FunctionCallbackInfo<v8::Value>& info);
// Calls the v8::FunctionCallback held in info.Data() (a v8::External) and turns a KJ exception
// it throws into a JavaScript error, instead of letting it unwind through V8's frames and end
// the process. Every native JavaScript can call goes through it, so no input a tenant controls
// (a URL, a header, a SQL string) can reach a KJ assertion that takes the daemon down.

v8::Local<v8::Function> newGuardedFunction(v8::Local<v8::Context> context,
                                           v8::FunctionCallback callback);
inline void throwTypeError(v8::Isolate* isolate, kj::StringPtr message) {
  throwError(isolate, ErrorType::TYPE_ERROR, message);
}

kj::String describeException(v8::Isolate* isolate, v8::Local<v8::Value> exception);
// The stack if the value is an Error with one, else "Name: message", else String(value).

kj::String describeTryCatch(v8::Isolate* isolate, v8::TryCatch& tryCatch);
// As above, plus "at file:line:col" for compile errors (whose stack does not name the source).

v8::Local<v8::Value> getProperty(v8::Local<v8::Context> context, v8::Local<v8::Object> object,
                                 kj::StringPtr name);
// Undefined when the property is missing or its getter throws.

}  // namespace kiln::js
