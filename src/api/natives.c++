#include "src/api/natives.h"

#include "src/api/js-api.h"
#include "src/io/runtime.h"
#include "src/js/platform.h"
#include "src/js/stack.h"
#include "src/js/value.h"

#include <kj/debug.h>
#include <sys/random.h>

namespace kiln::api {

using js::newString;
using js::toKj;

void setFunction(v8::Local<v8::Context> context, v8::Local<v8::Object> target, kj::StringPtr name,
                 v8::FunctionCallback callback, v8::Local<v8::Value> data) {
  auto isolate = context->GetIsolate();
  // Natives with data of their own are per worker (never in the snapshot) and few; the rest go
  // through the guard.
  auto fn = data.IsEmpty() ? js::newGuardedFunction(context, callback)
                           : v8::Function::New(context, callback, data).ToLocalChecked();
  fn->SetName(newString(isolate, name));
  target->Set(context, newString(isolate, name), fn).Check();
}

bool isValidUtf8(kj::ArrayPtr<const kj::byte> bytes) {
  size_t i = 0, n = bytes.size();
  while (i < n) {
    kj::byte c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n)
      return false;
    for (size_t j = 1; j < len; j++) {
      if ((bytes[i + j] & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (bytes[i + j] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

namespace {

kj::Maybe<io::IoContext&> currentIoContext(v8::Isolate* isolate) {
  return io::Runtime::from(isolate->GetCurrentContext()).currentIoContext();
}

void nativeLog(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto& api = JsApi::from(isolate->GetCurrentContext());
  auto level = toKj(isolate, info[0]);
  auto message = toKj(isolate, info[1]);
  KJ_IF_MAYBE (ioContext, currentIoContext(isolate)) {
    auto verdict = ioContext->admitLog(message.size());
    switch (verdict) {
      case io::IoContext::LogVerdict::EMIT:
        break;
      case io::IoContext::LogVerdict::DROP:
      case io::IoContext::LogVerdict::EMIT_THEN_CUT:
        KJ_IF_MAYBE (trace, ioContext->getTrace()) {
          trace->truncated = true;  // A tail learns that it has not seen everything.
        }
        if (verdict == io::IoContext::LogVerdict::EMIT_THEN_CUT) {
          api.getHost().log("warn",
                            "console output limit reached for this request; further "
                            "output is dropped");
        }
        return;
    }
    KJ_IF_MAYBE (trace, ioContext->getTrace()) {
      kj::Maybe<kj::String> argsJson;
      kj::Maybe<kj::String> errorInfoJson;
      if (info[2]->IsArray() && api.getHost().hasTails() && !trace->truncated) {
        // Only for a tail: turning arguments into JSON costs more than printing them.
        auto context = isolate->GetCurrentContext();
        v8::Local<v8::Value> args[] = {info[2]};
        v8::Local<v8::Value> json;
        if (api.callInternal(context, "logArgsJson", args).ToLocal(&json) && json->IsString()) {
          argsJson = toKj(isolate, json);
        }
        if (api.callInternal(context, "logErrorInfoJson", args).ToLocal(&json) &&
            json->IsString()) {
          errorInfoJson = toKj(isolate, json);
        }
      }
      trace->addLog(io::Trace::Log{kj::str(level), kj::str(message), js::frozenNowMillis(),
                                   kj::mv(argsJson), kj::mv(errorInfoJson)});
    }
  }
  api.getHost().log(level, message);
}

void nativeUtf8Encode(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  v8::Local<v8::String> str;
  if (!info[0]->ToString(isolate->GetCurrentContext()).ToLocal(&str))
    return;
  int length = str->Utf8Length(isolate);
  v8::Local<v8::ArrayBuffer> buffer;
  if (!js::newArrayBuffer(isolate, length).ToLocal(&buffer))
    return;
  str->WriteUtf8(isolate, static_cast<char*>(buffer->Data()), length, nullptr,
                 v8::String::NO_NULL_TERMINATION | v8::String::REPLACE_INVALID_UTF8);
  info.GetReturnValue().Set(v8::Uint8Array::New(buffer, 0, length));
}

void nativeUtf8EncodeInto(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  v8::Local<v8::String> str;
  if (!info[0]->ToString(context).ToLocal(&str))
    return;
  KJ_IF_MAYBE (bytes, js::viewBytes(info[1])) {
    int read = 0;
    int written =
        str->WriteUtf8(isolate, reinterpret_cast<char*>(bytes->begin()), bytes->size(), &read,
                       v8::String::NO_NULL_TERMINATION | v8::String::REPLACE_INVALID_UTF8);
    auto result = v8::Array::New(isolate, 2);
    result->Set(context, 0, v8::Integer::New(isolate, read)).Check();
    result->Set(context, 1, v8::Integer::New(isolate, written)).Check();
    info.GetReturnValue().Set(result);
  } else {
    js::throwTypeError(isolate, "encodeInto() requires a Uint8Array destination.");
  }
}

void nativeUtf8Decode(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  KJ_IF_MAYBE (bytes, js::viewBytes(info[0])) {
    if (info[1]->BooleanValue(isolate) && !isValidUtf8(*bytes)) {
      js::throwTypeError(isolate, "The encoded data was not valid for encoding utf-8");
      return;
    }
    // V8's decoder replaces malformed sequences with U+FFFD, as the Encoding spec requires.
    v8::Local<v8::String> result;
    if (v8::String::NewFromUtf8(isolate, reinterpret_cast<const char*>(bytes->begin()),
                                v8::NewStringType::kNormal, bytes->size())
            .ToLocal(&result)) {
      info.GetReturnValue().Set(result);
    } else {
      js::throwError(isolate, js::ErrorType::RANGE_ERROR, "The string is too long to decode.");
    }
  } else {
    js::throwTypeError(isolate, "decode() requires an ArrayBuffer or ArrayBufferView.");
  }
}

void nativeSetTimer(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  if (!info[0]->IsFunction()) {
    js::throwTypeError(isolate, "The timer callback must be a function.");
    return;
  }
  KJ_IF_MAYBE (ioContext, currentIoContext(isolate)) {
    double delay = info[1]->NumberValue(isolate->GetCurrentContext()).FromMaybe(0);
    auto id = ioContext->setTimer(isolate, info[0].As<v8::Function>(), delay,
                                  info[2]->BooleanValue(isolate));
    info.GetReturnValue().Set(v8::Integer::NewFromUnsigned(isolate, id));
  } else {
    disallowedOutsideRequest(isolate);
  }
}

void nativeClearTimer(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  KJ_IF_MAYBE (ioContext, currentIoContext(isolate)) {
    double id = info[0]->NumberValue(isolate->GetCurrentContext()).FromMaybe(0);
    if (id >= 1 && id <= UINT32_MAX)
      ioContext->clearTimer(uint32_t(id));
  }
}

void nativeGetRandomValues(const v8::FunctionCallbackInfo<v8::Value>& info) {
  KJ_IF_MAYBE (bytes, js::viewBytes(info[0])) {
    size_t done = 0;
    while (done < bytes->size()) {
      ssize_t n = getrandom(bytes->begin() + done, bytes->size() - done, 0);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        KJ_FAIL_SYSCALL("getrandom", errno);
      }
      done += n;
    }
    info.GetReturnValue().Set(info[0]);
  } else {
    js::throwTypeError(info.GetIsolate(), "getRandomValues() requires a typed array.");
  }
}

// V8 is built without RTTI, so kiln cannot subclass ValueSerializer::Delegate; V8's own
// clone errors are plain Errors, renamed here so that JS can turn them into DataCloneError.
void throwDataCloneError(v8::Isolate* isolate, kj::StringPtr message) {
  auto error = v8::Exception::Error(newString(isolate, message));
  error.As<v8::Object>()
      ->Set(isolate->GetCurrentContext(), newString(isolate, "name"),
            newString(isolate, "DataCloneError"))
      .FromMaybe(false);
  isolate->ThrowException(error);
}

void nativeStructuredClone(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  v8::ValueSerializer serializer(isolate);

  kj::Vector<v8::Local<v8::ArrayBuffer>> transfers;
  if (info[1]->IsArray()) {
    auto list = info[1].As<v8::Array>();
    for (uint32_t i = 0; i < list->Length(); i++) {
      v8::Local<v8::Value> item;
      if (!list->Get(context, i).ToLocal(&item))
        return;
      if (!item->IsArrayBuffer() || !item.As<v8::ArrayBuffer>()->IsDetachable()) {
        throwDataCloneError(isolate, "Value not transferable");
        return;
      }
      serializer.TransferArrayBuffer(transfers.size(), item.As<v8::ArrayBuffer>());
      transfers.add(item.As<v8::ArrayBuffer>());
    }
  }

  serializer.WriteHeader();
  {
    v8::TryCatch tryCatch(isolate);
    js::SuspendableCall suspendable;  // Getters and Proxy traps are the tenant's code.
    if (serializer.WriteValue(context, info[0]).IsNothing()) {
      if (tryCatch.CanContinue() && tryCatch.HasCaught()) {
        auto error = tryCatch.Exception();
        auto message =
            error->IsObject()
                ? js::toKj(isolate, js::getProperty(context, error.As<v8::Object>(), "message"))
                : kj::str();
        if (message.endsWith("could not be cloned.") && error->IsNativeError()) {
          error.As<v8::Object>()
              ->Set(context, newString(isolate, "name"), newString(isolate, "DataCloneError"))
              .FromMaybe(false);
        }
      }
      // Rethrow from this scope so that the exception reaches the caller.
      tryCatch.ReThrow();
      return;
    }
  }
  auto data = serializer.Release();
  KJ_DEFER(free(data.first));

  v8::ValueDeserializer deserializer(isolate, data.first, data.second);
  for (uint32_t i = 0; i < transfers.size(); i++) {
    // The clone takes the bytes and the original is detached, as transfer requires.
    auto original = transfers[i];
    v8::Local<v8::ArrayBuffer> copy;
    if (!js::newArrayBuffer(isolate, original->ByteLength()).ToLocal(&copy))
      return;
    if (original->ByteLength() > 0) {
      memcpy(copy->Data(), original->Data(), original->ByteLength());
    }
    original->Detach();
    deserializer.TransferArrayBuffer(i, copy);
  }
  if (deserializer.ReadHeader(context).IsNothing())
    return;
  v8::Local<v8::Value> result;
  if (deserializer.ReadValue(context).ToLocal(&result))
    info.GetReturnValue().Set(result);
}

void nativeNow(const v8::FunctionCallbackInfo<v8::Value>& info) {
  info.GetReturnValue().Set(js::frozenNowMillis());
}

void nativeWaitUntil(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  KJ_IF_MAYBE (ioContext, currentIoContext(isolate)) {
    auto& runtime = ioContext->getRuntime();
    ioContext->addWaitUntil(runtime.awaitJs(context, info[0]).ignoreResult());
  } else {
    disallowedOutsideRequest(isolate);
  }
}

void nativeAsyncContext(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // The async context frame: V8 keeps this value with every promise reaction created while it is
  // set and restores it when the reaction runs, so built-ins can tell which logical task (e.g. a
  // storage transaction's callback) code after an await belongs to. No argument reads it; one
  // argument sets it.
  auto context = info.GetIsolate()->GetCurrentContext();
  if (info.Length() == 0) {
    info.GetReturnValue().Set(context->GetContinuationPreservedEmbedderData());
  } else {
    context->SetContinuationPreservedEmbedderData(info[0]);
  }
}

const NativeFunction BASIC_NATIVES[] = {
    {"log", &nativeLog},
    {"utf8Encode", &nativeUtf8Encode},
    {"utf8EncodeInto", &nativeUtf8EncodeInto},
    {"utf8Decode", &nativeUtf8Decode},
    {"setTimer", &nativeSetTimer},
    {"clearTimer", &nativeClearTimer},
    {"getRandomValues", &nativeGetRandomValues},
    {"structuredClone", &nativeStructuredClone},
    {"now", &nativeNow},
    {"waitUntil", &nativeWaitUntil},
    {"asyncContext", &nativeAsyncContext},
};

}  // namespace

kj::ArrayPtr<const NativeFunction> basicNatives() {
  return BASIC_NATIVES;
}

void installNatives(v8::Local<v8::Context> context, v8::Local<v8::Object> target) {
  for (auto table:
       {basicNatives(), compressionNatives(), cryptoNatives(), fetchNatives(), rpcNatives()}) {
    for (auto& native: table)
      setFunction(context, target, native.name, native.callback);
  }
}

}  // namespace kiln::api
