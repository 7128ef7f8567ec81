#include "src/api/js-api.h"

#include "src/api/builtins.embed.h"
#include "src/api/natives.h"
#include "src/api/snapshot.h"
#include "src/js/platform.h"
#include "src/js/value.h"

#include <kj/debug.h>

namespace kiln::api {

namespace {
constexpr int SLOT_API = 3;

// Evaluation order matters: later files use what earlier ones put on `internal`.
const char* const BUILTIN_ORDER[] = {
    "events.js",
    "encoding.js",
    "url-host.js",
    "url.js",
    "streams.js",
    "streams-queuing.js",
    "streams-writable.js",
    "compression.js",
    "body.js",
    "data-url.js",
    "multipart.js",
    "headers.js",
    "http.js",
    "inspect.js",
    "runtime.js",
    "crypto.js",
    "workers.js",
    "tail-stream.js",
    "loader.js",
    "storage.js",
};
}  // namespace

JsApi::JsApi(io::Runtime& runtime, ApiHost& host) : runtime(runtime), host(host) {
  io::Runtime::Scope scope(runtime);
  auto context = scope.context;
  auto isolate = context->GetIsolate();
  context->SetAlignedPointerInEmbedderData(SLOT_API, this);

  v8::Local<v8::Object> nativesObj, internalObj;
  if (runtime.isFromSnapshot()) {
    nativesObj = context->GetDataFromSnapshotOnce<v8::Object>(SNAPSHOT_NATIVES).ToLocalChecked();
    internalObj = context->GetDataFromSnapshotOnce<v8::Object>(SNAPSHOT_INTERNAL).ToLocalChecked();
    // The snapshot was taken at process start; this context's clock starts now.
    internalObj
        ->Set(context, js::newString(isolate, "timeOrigin"),
              v8::Number::New(isolate, js::frozenNowMillis()))
        .Check();
  } else {
    nativesObj = v8::Object::New(isolate);
    internalObj = v8::Object::New(isolate);
    installNatives(context, nativesObj);
    KJ_IF_MAYBE (error, evaluateBuiltins(context, nativesObj, internalObj)) {
      KJ_FAIL_ASSERT("built-in failed to evaluate", *error);
    }
  }
  natives.Reset(isolate, nativesObj);
  internal.Reset(isolate, internalObj);
}

JsApi::~JsApi() noexcept(false) {}

JsApi& JsApi::from(v8::Local<v8::Context> context) {
  return *static_cast<JsApi*>(context->GetAlignedPointerFromEmbedderData(SLOT_API));
}

kj::Maybe<kj::String> evaluateBuiltins(v8::Local<v8::Context> context,
                                       v8::Local<v8::Object> natives,
                                       v8::Local<v8::Object> internal) {
  auto isolate = context->GetIsolate();
  auto files = embedded::getBuiltinJs();
  v8::Local<v8::String> params[] = {js::newString(isolate, "natives"),
                                    js::newString(isolate, "internal")};
  for (auto name: BUILTIN_ORDER) {
    const EmbeddedFile* file = nullptr;
    for (auto& f: files) {
      if (kj::StringPtr(f.name) == name)
        file = &f;
    }
    KJ_ASSERT(file != nullptr, "built-in missing from the binary", name);

    v8::TryCatch tryCatch(isolate);
    auto source = kj::str("\"use strict\";\n", file->text());
    v8::ScriptOrigin origin(isolate, js::newString(isolate, kj::str("kiln:internal/", name)), -1);
    v8::ScriptCompiler::Source src(js::newString(isolate, source), origin);
    v8::Local<v8::Function> fn;
    v8::Local<v8::Value> args[] = {natives, internal};
    if (!v8::ScriptCompiler::CompileFunction(context, &src, 2, params, 0, nullptr).ToLocal(&fn) ||
        fn->Call(context, v8::Undefined(isolate), 2, args).IsEmpty()) {
      return kj::str(name, ": ", js::describeTryCatch(isolate, tryCatch));
    }
  }
  return nullptr;
}

v8::MaybeLocal<v8::Value> JsApi::callInternal(v8::Local<v8::Context> context, kj::StringPtr name,
                                              kj::ArrayPtr<v8::Local<v8::Value>> args) {
  auto isolate = context->GetIsolate();
  auto obj = internal.Get(isolate);
  v8::Local<v8::Value> fn;
  if (!obj->Get(context, js::newString(isolate, name)).ToLocal(&fn))
    return {};
  KJ_ASSERT(fn->IsFunction(), "missing built-in entry point", name);
  return fn.As<v8::Function>()->Call(context, obj, args.size(), args.begin());
}

void disallowedOutsideRequest(v8::Isolate* isolate) {
  js::throwError(isolate, js::ErrorType::ERROR,
                 "Disallowed operation called within global scope. Asynchronous I/O (ex: "
                 "fetch() or connect()), setting a timeout, and generating random values are "
                 "not allowed within global scope. To fix this error, perform this operation "
                 "within a handler.");
}

}  // namespace kiln::api
