// The JavaScript-visible API of a worker: kiln's built-in JS files (src/api/js/) evaluated over
// the natives implemented in this folder. See src/api/js/CONTRACT.md for the interface between
// the two halves.
#pragma once

#include "src/api/capability.h"
#include "src/io/runtime.h"

#include <v8.h>
#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/string.h>

namespace kiln::api {

class ApiHost {
  // What the embedding worker provides to its APIs.
 public:
  virtual void log(kj::StringPtr level, kj::StringPtr message) = 0;

  virtual kj::Maybe<kj::HttpClient&> getGlobalOutbound() = 0;
  virtual kj::Maybe<Capability&> getGlobalOutboundCapability() = 0;
  // Null when the worker may not reach the network through fetch().

  virtual kj::HttpHeaderTable& getHeaderTable() = 0;

  virtual bool hasTails() = 0;
  // Whether anyone reads this worker's traces: only then are console arguments kept as values.

  virtual kj::Own<Capability> newTargetCapability(v8::Local<v8::Context> context,
                                                  v8::Local<v8::Object> target) = 0;
  // A capability calling methods of an RpcTarget (or a function) of this worker, so that it can
  // be passed by reference to another worker.
};

class BodySource;

class JsApi {
 public:
  JsApi(io::Runtime& runtime, ApiHost& host);
  // Installs globals and evaluates the built-ins. Throws kj::Exception if a built-in fails,
  // which is a bug in kiln, not in user code.
  ~JsApi() noexcept(false);
  KJ_DISALLOW_COPY(JsApi);

  static JsApi& from(v8::Local<v8::Context> context);
  ApiHost& getHost() { return host; }
  io::Runtime& getRuntime() { return runtime; }

  v8::Local<v8::Object> getInternal(v8::Isolate* isolate) { return internal.Get(isolate); }
  v8::MaybeLocal<v8::Value> callInternal(v8::Local<v8::Context> context, kj::StringPtr name,
                                         kj::ArrayPtr<v8::Local<v8::Value>> args);
  // Calls `internal[name](...args)`; on failure a JS exception is pending.

  enum class StubKind {
    PLAIN,       // fetch() and RPC methods
    WITH_PROPS,  // also callable as `stub({props})` (ctx.exports entries)
    FUNCTION,    // a function passed by reference: calling it is an RPC call
  };
  v8::Local<v8::Object> newStub(v8::Local<v8::Context> context, kj::Own<Capability> cap,
                                StubKind kind = StubKind::PLAIN, int64_t externalBytes = 0);
  // A service stub (`fetch(input, init)`). A callable one (ctx.exports entries) can be called
  // with {props} to mint a stub bound to those props; V8 cannot clone callable objects, so the
  // built-ins swap them for a plain twin (natives.plainStub) before a value crosses workers.

  v8::Local<v8::Object> newBodySource(v8::Local<v8::Context> context, kj::Own<BodySource> source);

  kj::Promise<void> sendResponse(io::IoContext& ioContext, v8::Global<v8::Value> value,
                                 kj::HttpService::Response& response);
  // Sends what a fetch handler resolved to. Throws a JS-derived kj exception if `value` is not
  // a Response; callers turn that into a 500.

 private:
  io::Runtime& runtime;
  ApiHost& host;
  v8::Global<v8::Object> natives;
  v8::Global<v8::Object> internal;
  v8::Global<v8::FunctionTemplate> bodySourceTemplate;
  v8::Global<v8::FunctionTemplate> fetcherTemplate;

  kj::Promise<void> pumpReader(io::IoContext& ioContext, v8::Global<v8::Object>& reader,
                               kj::AsyncOutputStream& out);
  struct Prepared {
    // A Response read out of JavaScript, ready to send.
    uint status;
    kj::String statusText;
    kj::Own<kj::HttpHeaders> headers;
    kj::Maybe<kj::Array<kj::byte>> bytes;
    kj::Maybe<kj::Own<kj::AsyncInputStream>> nativeBody;
    v8::Global<v8::Object> reader;
    bool hasBody = false;
    kj::Maybe<kj::String> error;
  };
  kj::Promise<void> sendPrepared(io::IoContext& ioContext, Prepared&& prepared,
                                 kj::HttpService::Response& response);
  kj::Promise<void> writeChunk(io::IoContext& ioContext, v8::Global<v8::Object>& reader,
                               kj::AsyncOutputStream& out, kj::Maybe<kj::Array<kj::byte>> chunk);
};

kj::Maybe<kj::String> evaluateBuiltins(v8::Local<v8::Context> context,
                                       v8::Local<v8::Object> natives,
                                       v8::Local<v8::Object> internal);
// Runs every built-in file in order. Returns the error if one fails (a bug in kiln).

class BodySource : public kj::Refcounted {
  // A byte stream JavaScript pulls from (request bodies, fetch response bodies). The owner of
  // the underlying stream may detach it when the stream's lifetime ends (the request finished).
 public:
  explicit BodySource(kj::Own<kj::AsyncInputStream> stream) : stream(kj::mv(stream)) {}
  kj::Maybe<kj::AsyncInputStream&> getStream();
  kj::Maybe<kj::Own<kj::AsyncInputStream>> take();
  // Hands the stream over (e.g. to be pumped straight into a response); the source is then
  // detached.
  void detach() {
    // Reads still in flight reference the stream: they end here, not after it is freed.
    canceler.cancel("the body's request has finished");
    stream = nullptr;
  }

  kj::Promise<size_t> read(void* buffer, size_t minBytes, size_t maxBytes);
  // Reads through the source, so that detach() ends the read at once. Fails (DISCONNECTED)
  // once detached.
  kj::Maybe<uint64_t> tryGetLength();

  static kj::Own<kj::AsyncInputStream> readThrough(kj::Own<BodySource> source);
  // A stream whose reads go through `source` (and end with it): for passing a body on to
  // another worker without JavaScript and without holding the owner's stream past its life.

 private:
  kj::Maybe<kj::Own<kj::AsyncInputStream>> stream;
  kj::Canceler canceler;
};

void disallowedOutsideRequest(v8::Isolate* isolate);

kj::Maybe<Capability&> unwrapStub(v8::Local<v8::Value> value);
// Also null for a stub that was disposed.
// The capability behind a stub made by JsApi::newStub; null for anything else, including
// objects that merely look like stubs.
// Throws the Error JavaScript gets when it starts I/O at global scope.

}  // namespace kiln::api
