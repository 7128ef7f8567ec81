#include "src/js/value.h"

#include "src/js/stack.h"

#include <kj/debug.h>

namespace kiln::js {

v8::Local<v8::String> newString(v8::Isolate* isolate, kj::StringPtr text) {
  return newStringFromChars(isolate, text.asArray());
}

v8::Local<v8::String> newStringFromChars(v8::Isolate* isolate, kj::ArrayPtr<const char> text) {
  return v8::String::NewFromUtf8(isolate, text.begin(), v8::NewStringType::kNormal, text.size())
      .ToLocalChecked();
}

kj::String toKj(v8::Isolate* isolate, v8::Local<v8::Value> value) {
  v8::TryCatch tryCatch(isolate);
  v8::Local<v8::String> str;
  if (!value->ToString(isolate->GetCurrentContext()).ToLocal(&str)) {
    return kj::str("[object]");
  }
  auto result = kj::heapString(str->Utf8Length(isolate));
  str->WriteUtf8(isolate, result.begin(), result.size(), nullptr,
                 v8::String::NO_NULL_TERMINATION | v8::String::REPLACE_INVALID_UTF8);
  return result;
}

v8::MaybeLocal<v8::ArrayBuffer> newArrayBuffer(v8::Isolate* isolate, size_t size) {
  // The memory comes from the isolate's own (capped) allocator, so it counts against the
  // worker's budget; a refusal is the RangeError JavaScript's `new ArrayBuffer` would throw.
  auto allocator = isolate->GetArrayBufferAllocator();
  void* data = allocator->Allocate(size);
  if (data == nullptr) {
    throwError(isolate, ErrorType::RANGE_ERROR, "Array buffer allocation failed");
    return {};
  }
  auto store = v8::ArrayBuffer::NewBackingStore(
      data, size,
      [](void* data, size_t length, void* allocator) {
        static_cast<v8::ArrayBuffer::Allocator*>(allocator)->Free(data, length);
      },
      allocator);
  return v8::ArrayBuffer::New(isolate, std::move(store));
}

v8::MaybeLocal<v8::Uint8Array> newBytes(v8::Isolate* isolate, kj::ArrayPtr<const kj::byte> bytes) {
  v8::Local<v8::ArrayBuffer> buffer;
  if (!newArrayBuffer(isolate, bytes.size()).ToLocal(&buffer))
    return {};
  if (bytes.size() > 0)
    memcpy(buffer->Data(), bytes.begin(), bytes.size());
  return v8::Uint8Array::New(buffer, 0, bytes.size());
}

kj::Maybe<kj::ArrayPtr<kj::byte>> viewBytes(v8::Local<v8::Value> value) {
  if (value->IsArrayBufferView()) {
    auto view = value.As<v8::ArrayBufferView>();
    auto* data = static_cast<kj::byte*>(view->Buffer()->Data());
    if (data == nullptr)
      return kj::ArrayPtr<kj::byte>();
    return kj::arrayPtr(data + view->ByteOffset(), view->ByteLength());
  } else if (value->IsArrayBuffer()) {
    auto buffer = value.As<v8::ArrayBuffer>();
    return kj::arrayPtr(static_cast<kj::byte*>(buffer->Data()), buffer->ByteLength());
  } else if (value->IsSharedArrayBuffer()) {
    auto buffer = value.As<v8::SharedArrayBuffer>();
    return kj::arrayPtr(static_cast<kj::byte*>(buffer->Data()), buffer->ByteLength());
  }
  return nullptr;
}

v8::Local<v8::Value> newError(v8::Isolate* isolate, ErrorType type, kj::StringPtr message) {
  auto msg = newString(isolate, message);
  switch (type) {
    case ErrorType::ERROR:
      return v8::Exception::Error(msg);
    case ErrorType::TYPE_ERROR:
      return v8::Exception::TypeError(msg);
    case ErrorType::RANGE_ERROR:
      return v8::Exception::RangeError(msg);
    case ErrorType::SYNTAX_ERROR:
      return v8::Exception::SyntaxError(msg);
  }
  KJ_UNREACHABLE;
}

v8::Local<v8::Value> newNamedError(v8::Local<v8::Context> context, kj::StringPtr name,
                                   kj::StringPtr message) {
  auto isolate = context->GetIsolate();
  auto msg = newString(isolate, message);
  if (name == "TypeError")
    return v8::Exception::TypeError(msg);
  if (name == "RangeError")
    return v8::Exception::RangeError(msg);
  if (name == "SyntaxError")
    return v8::Exception::SyntaxError(msg);
  if (name == "ReferenceError")
    return v8::Exception::ReferenceError(msg);
  auto error = v8::Exception::Error(msg);
  if (name == "EvalError" || name == "URIError") {
    // No API constructor for these two: the context's own class lends its prototype.
    auto ctor = getProperty(context, context->Global(), name);
    if (ctor->IsFunction()) {
      auto proto = getProperty(context, ctor.As<v8::Object>(), "prototype");
      if (proto->IsObject())
        (void)error.As<v8::Object>()->SetPrototype(context, proto);
    }
  }
  return error;
}

void throwError(v8::Isolate* isolate, ErrorType type, kj::StringPtr message) {
  isolate->ThrowException(newError(isolate, type, message));
}

v8::Local<v8::Value> getProperty(v8::Local<v8::Context> context, v8::Local<v8::Object> object,
                                 kj::StringPtr name) {
  auto isolate = context->GetIsolate();
  v8::TryCatch tryCatch(isolate);
  v8::Local<v8::Value> result;
  if (!object->Get(context, newString(isolate, name)).ToLocal(&result)) {
    return v8::Undefined(isolate);
  }
  return result;
}

kj::String describeException(v8::Isolate* isolate, v8::Local<v8::Value> exception) {
  auto context = isolate->GetCurrentContext();
  if (exception->IsObject() && exception->IsNativeError()) {
    auto stack = getProperty(context, exception.As<v8::Object>(), "stack");
    if (stack->IsString())
      return toKj(isolate, stack);
  }
  if (exception->IsObject()) {
    auto obj = exception.As<v8::Object>();
    auto stack = getProperty(context, obj, "stack");
    if (stack->IsString())
      return toKj(isolate, stack);
    auto message = getProperty(context, obj, "message");
    if (message->IsString()) {
      auto name = getProperty(context, obj, "name");
      return kj::str(name->IsString() ? toKj(isolate, name) : kj::str("Error"), ": ",
                     toKj(isolate, message));
    }
  }
  return toKj(isolate, exception);
}

kj::String describeTryCatch(v8::Isolate* isolate, v8::TryCatch& tryCatch) {
  if (!tryCatch.HasCaught())
    return kj::str("unknown error");
  if (!tryCatch.CanContinue())
    return kj::str("execution terminated");
  auto description = describeException(isolate, tryCatch.Exception());
  auto message = tryCatch.Message();
  if (!message.IsEmpty() && tryCatch.Exception()->IsNativeError()) {
    auto context = isolate->GetCurrentContext();
    auto name = toKj(isolate, message->GetScriptResourceName());
    int line = message->GetLineNumber(context).FromMaybe(0);
    int col = message->GetStartColumn(context).FromMaybe(0) + 1;
    // Syntax errors carry no stack frame for the offending source; name it explicitly.
    if (description.findFirst('\n') == nullptr && name.size() > 0) {
      return kj::str(description, "\n    at ", name, ":", line, ":", col);
    }
  }
  return description;
}

void guardedCallback(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto callback = reinterpret_cast<v8::FunctionCallback>(info.Data().As<v8::External>()->Value());
  ++nativeDepth;
  auto failure = kj::runCatchingExceptions([&]() { callback(info); });
  --nativeDepth;
  KJ_IF_MAYBE (exception, failure) {
    auto isolate = info.GetIsolate();
    if (isolate->IsExecutionTerminating())
      return;
    // The description is KJ's, for operators, not for the tenant.
    KJ_LOG(ERROR, "native call failed", exception->getDescription());
    throwError(isolate, ErrorType::ERROR,
               "Internal error: kiln could not complete this call. The arguments may be "
               "malformed (an invalid URL or header, for instance).");
  }
}

v8::Local<v8::Function> newGuardedFunction(v8::Local<v8::Context> context,
                                           v8::FunctionCallback callback) {
  auto isolate = context->GetIsolate();
  auto data = v8::External::New(isolate, reinterpret_cast<void*>(callback));
  return v8::Function::New(context, &guardedCallback, data).ToLocalChecked();
}

}  // namespace kiln::js
