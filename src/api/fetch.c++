// HTTP between JavaScript and KJ: fetchers (outbound fetch, service bindings), body sources, and
// sending a fetch handler's Response.

#include "src/api/js-api.h"
#include "src/api/natives.h"
#include "src/api/settle.h"
#include "src/js/value.h"
#include "src/js/wrap.h"

#include <kj/debug.h>

namespace kiln::api {

using js::newString;
using js::toKj;

namespace {

constexpr size_t READ_CHUNK = 65536;

kj::Maybe<io::IoContext&> currentIoContext(v8::Isolate* isolate) {
  return io::Runtime::from(isolate->GetCurrentContext()).currentIoContext();
}

v8::Local<v8::Array> headersToJs(v8::Local<v8::Context> context, const kj::HttpHeaders& headers) {
  auto isolate = context->GetIsolate();
  auto result = v8::Array::New(isolate);
  uint32_t i = 0;
  headers.forEach([&](kj::StringPtr name, kj::StringPtr value) {
    auto pair = v8::Array::New(isolate, 2);
    pair->Set(context, 0, newString(isolate, name)).Check();
    pair->Set(context, 1, newString(isolate, value)).Check();
    result->Set(context, i++, pair).Check();
  });
  return result;
}

// Reads `[[name, value], ...]` into headers. False with a pending exception on bad input.
bool headersFromJs(v8::Local<v8::Context> context, v8::Local<v8::Value> value,
                   kj::HttpHeaders& headers) {
  auto isolate = context->GetIsolate();
  if (!value->IsArray())
    return true;
  auto list = value.As<v8::Array>();
  for (uint32_t i = 0; i < list->Length(); i++) {
    v8::Local<v8::Value> pair;
    if (!list->Get(context, i).ToLocal(&pair))
      return false;
    if (!pair->IsArray())
      continue;
    v8::Local<v8::Value> name, val;
    if (!pair.As<v8::Array>()->Get(context, 0).ToLocal(&name) ||
        !pair.As<v8::Array>()->Get(context, 1).ToLocal(&val)) {
      return false;
    }
    headers.add(toKj(isolate, name), toKj(isolate, val));
  }
  return true;
}

struct SourceRef {
  kj::Own<BodySource> source;
};

alignas(8) char SOURCE_TAG;

void bodySourceRead(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  SourceRef* refPtr;
  KJ_IF_MAYBE (r, js::unwrapThis<SourceRef>(info, &SOURCE_TAG)) {
    refPtr = r;
  } else {
    js::throwTypeError(isolate, "Illegal invocation");
    return;
  }
  auto& ref = *refPtr;
  auto resolver = v8::Promise::Resolver::New(context).ToLocalChecked();
  info.GetReturnValue().Set(resolver->GetPromise());

  KJ_IF_MAYBE (ioContext, currentIoContext(isolate)) {
    KJ_IF_MAYBE (stream, ref.source->getStream()) {
      (void)stream;
      auto buffer = kj::heapArray<kj::byte>(READ_CHUNK);
      auto promise = ref.source->read(buffer.begin(), 1, READ_CHUNK);
      // The buffer must outlive the read: KJ drops a promise's attachments before running its
      // continuation, so the continuation owns it.
      settleLater(
          *ioContext, resolver, kj::mv(promise),
          [buffer = kj::mv(buffer)](v8::Local<v8::Context> context,
                                    size_t n) -> v8::MaybeLocal<v8::Value> {
            auto isolate = context->GetIsolate();
            if (n == 0)
              return v8::Undefined(isolate).As<v8::Value>();
            v8::Local<v8::Uint8Array> bytes;
            if (!js::newBytes(isolate, buffer.slice(0, n)).ToLocal(&bytes))
              return {};  // The RangeError rejects the read.
            return bytes.As<v8::Value>();
          },
          "Network connection lost.", info.This());
    } else {
      (void)resolver->Reject(context,
                             js::newError(isolate, js::ErrorType::TYPE_ERROR,
                                          "This body can no longer be read: the request it "
                                          "belongs to has finished."));
    }
  } else {
    disallowedOutsideRequest(isolate);
  }
}

void bodySourceCancel(const v8::FunctionCallbackInfo<v8::Value>& info) {
  KJ_IF_MAYBE (ref, js::unwrapThis<SourceRef>(info, &SOURCE_TAG)) {
    ref->source->detach();
  }
}

const js::WrapRegistry::Method BODY_SOURCE_METHODS[] = {
    {"read", &bodySourceRead},
    {"cancel", &bodySourceCancel},
};

// Sends a request descriptor (see js/CONTRACT.md) through `client`.
// What fetchVia() hands a fetch() that has an AbortSignal: aborting drops the subrequest, so the
// callee's event (a service binding's, a stub's) is canceled with it, as in workerd, rather
// than running on for nobody. Refcounted: the pending subrequest holds it too, so that
// collecting the JavaScript side (the signal dropped by its owner) cancels nothing.
struct FetchCancel final : public kj::Refcounted {
  kj::Canceler canceler;
};
alignas(8) char CANCEL_TAG;

void newFetchCancel(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto context = info.GetIsolate()->GetCurrentContext();
  info.GetReturnValue().Set(js::wrap(context, kj::refcounted<FetchCancel>(), &CANCEL_TAG));
}

void cancelFetch(const v8::FunctionCallbackInfo<v8::Value>& info) {
  KJ_IF_MAYBE (cancel, js::unwrap<FetchCancel>(info[0], &CANCEL_TAG)) {
    cancel->canceler.cancel("the fetch() was aborted");
  }
}

void doFetch(const v8::FunctionCallbackInfo<v8::Value>& info, kj::HttpClient& client,
             v8::Local<v8::Value> descValue, kj::Maybe<kj::Own<kj::HttpClient>> keepAlive) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto& api = JsApi::from(context);

  auto ioContextMaybe = currentIoContext(isolate);
  io::IoContext* ioContext;
  KJ_IF_MAYBE (c, ioContextMaybe) {
    ioContext = c;
  } else {
    disallowedOutsideRequest(isolate);
    return;
  }
  if (!descValue->IsObject()) {
    js::throwTypeError(isolate, "fetch: bad request descriptor");
    return;
  }
  auto desc = descValue.As<v8::Object>();
  auto methodName = toKj(isolate, js::getProperty(context, desc, "method"));
  auto url = toKj(isolate, js::getProperty(context, desc, "url"));
  kj::HttpMethod method;
  KJ_IF_MAYBE (m, kj::tryParseHttpMethod(methodName)) {
    method = *m;
  } else {
    js::throwTypeError(isolate, kj::str("Invalid HTTP method: ", methodName));
    return;
  }
  if (!ioContext->consumeSubrequest()) {
    js::throwError(isolate, js::ErrorType::ERROR,
                   "Too many subrequests by single Worker invocation.");
    return;
  }
  auto headers = kj::heap<kj::HttpHeaders>(api.getHost().getHeaderTable());
  if (!headersFromJs(context, js::getProperty(context, desc, "headers"), *headers))
    return;
  kj::Array<kj::byte> body;
  bool hasBody = false;
  kj::Maybe<kj::Own<kj::AsyncInputStream>> streamedBody;
  auto bodyValue = js::getProperty(context, desc, "body");
  KJ_IF_MAYBE (bytes, js::viewBytes(bodyValue)) {
    body = kj::heapArray<kj::byte>(*bytes);
    hasBody = true;
  } else KJ_IF_MAYBE (source, js::unwrap<SourceRef>(bodyValue, &SOURCE_TAG)) {
    // A body passed on untouched (the docs' Starter forwards `request`): streamed from its
    // source, so a 100 MB upload costs neither the caller's heap nor a copy, and reads end when
    // the source's own request does.
    if (source->source->getStream() == nullptr) {
      js::throwTypeError(isolate,
                         "This body can no longer be read: the request it belongs to "
                         "has finished.");
      return;
    }
    streamedBody = BodySource::readThrough(kj::addRef(*source->source));
    hasBody = true;
  }

  auto resolver = v8::Promise::Resolver::New(context).ToLocalChecked();
  info.GetReturnValue().Set(resolver->GetPromise());

  kj::Maybe<uint64_t> bodySize = hasBody ? kj::Maybe<uint64_t>(body.size()) : uint64_t(0);
  KJ_IF_MAYBE (s, streamedBody) {
    bodySize = (*s)->tryGetLength();
  }
  auto request = [&]() {
    // An in-process callee's event counts one call deeper than this one (io::CallerDepth).
    io::CallerDepth depth(ioContext->getDepth());
    return client.request(method, url, *headers, bodySize);
  }();
  kj::Promise<void> sent = kj::READY_NOW;
  KJ_IF_MAYBE (s, streamedBody) {
    auto& in = **s;
    sent = in.pumpTo(*request.body).ignoreResult().attach(kj::mv(*s));
  } else if (body.size() > 0) {
    auto bodyPtr = body.asPtr();
    sent = request.body->write(bodyPtr.begin(), bodyPtr.size()).attach(kj::mv(body));
  }
  // The body is written while the response is awaited, not before: a callee may answer without
  // reading it (the docs' Starter forwards a request whose body nobody reads), and a write into
  // a service binding's pipe only completes as the callee reads. Whatever the write does after
  // the answer (finish later, or fail because nobody will read) changes nothing for the caller;
  // it lives as long as the response body, so a callee that streams its answer while reading
  // still gets the rest.
  auto sending = sent.attach(kj::mv(request.body)).eagerlyEvaluate([](kj::Exception&&) {});
  auto promise =
      request.response.attach(kj::mv(headers))
          .then([sending = kj::mv(sending)](kj::HttpClient::Response&& response) mutable {
            response.body = response.body.attach(kj::mv(sending));
            return kj::mv(response);
          });
  KJ_IF_MAYBE (cancel,
               js::unwrap<FetchCancel>(js::getProperty(context, desc, "cancel"), &CANCEL_TAG)) {
    // Until the response arrives; the body is abortableSource()'s (http.js) from then on.
    promise = cancel->canceler.wrap(kj::mv(promise)).attach(kj::addRef(*cancel));
  }

  settleLater(
      *ioContext, resolver, kj::mv(promise),
      // The client (and the capability behind it) stays alive with the body: a response body is
      // still being produced by the callee after the headers arrived.
      [url = kj::mv(url), keepAlive = kj::mv(keepAlive)](
          v8::Local<v8::Context> context,
          kj::HttpClient::Response&& response) mutable -> v8::MaybeLocal<v8::Value> {
        auto isolate = context->GetIsolate();
        auto& api = JsApi::from(context);
        auto result = v8::Object::New(isolate);
        result
            ->Set(context, newString(isolate, "status"),
                  v8::Integer::New(isolate, response.statusCode))
            .Check();
        result
            ->Set(context, newString(isolate, "statusText"),
                  newString(isolate, response.statusText))
            .Check();
        result->Set(context, newString(isolate, "headers"), headersToJs(context, *response.headers))
            .Check();
        result->Set(context, newString(isolate, "url"), newString(isolate, url)).Check();
        // The response headers live in the stream's message; keep them with the body.
        auto stream = response.body.attach(kj::mv(response.headers), kj::mv(keepAlive));
        auto source = api.newBodySource(context, kj::refcounted<BodySource>(kj::mv(stream)));
        result->Set(context, newString(isolate, "body"), source).Check();
        return result.As<v8::Value>();
      },
      "Network connection lost.");
}

void outboundFetch(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto& api = JsApi::from(context);
  KJ_IF_MAYBE (client, api.getHost().getGlobalOutbound()) {
    doFetch(info, *client, info[0], nullptr);
  } else {
    auto resolver = v8::Promise::Resolver::New(context).ToLocalChecked();
    (void)resolver->Reject(
        context,
        // An Error, as connect() throws in the same situation (what Workers does).
        js::newError(isolate, js::ErrorType::ERROR,
                     "This worker is not permitted to access the internet via global functions "
                     "like fetch(). It must use capabilities (such as bindings in 'env') to talk "
                     "to the outside world."));
    info.GetReturnValue().Set(resolver->GetPromise());
  }
}

void stubFetch(const v8::FunctionCallbackInfo<v8::Value>& info) {
  KJ_IF_MAYBE (cap, unwrapStub(info[0])) {
    auto client = kj::newHttpClient(*cap);
    auto& clientRef = *client;
    doFetch(info, clientRef, info[1], client.attach(cap->addRef()));
  } else {
    js::throwTypeError(info.GetIsolate(), "Illegal invocation: not a service stub.");
  }
}

void hasGlobalOutbound(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto& api = JsApi::from(info.GetIsolate()->GetCurrentContext());
  info.GetReturnValue().Set(api.getHost().getGlobalOutbound() != nullptr);
}

const NativeFunction FETCH_NATIVES[] = {
    {"outboundFetch", &outboundFetch}, {"hasGlobalOutbound", &hasGlobalOutbound},
    {"stubFetch", &stubFetch},         {"newFetchCancel", &newFetchCancel},
    {"cancelFetch", &cancelFetch},
};

}  // namespace

kj::Maybe<kj::AsyncInputStream&> BodySource::getStream() {
  KJ_IF_MAYBE (s, stream) {
    return **s;
  }
  return nullptr;
}

kj::Promise<size_t> BodySource::read(void* buffer, size_t minBytes, size_t maxBytes) {
  KJ_IF_MAYBE (s, stream) {
    return canceler.wrap((*s)->tryRead(buffer, minBytes, maxBytes));
  }
  return KJ_EXCEPTION(DISCONNECTED, "the body's request has finished");
}

kj::Maybe<uint64_t> BodySource::tryGetLength() {
  KJ_IF_MAYBE (s, stream) {
    return (*s)->tryGetLength();
  }
  return nullptr;
}

namespace {

class ReadThroughStream final : public kj::AsyncInputStream {
 public:
  explicit ReadThroughStream(kj::Own<BodySource> source) : source(kj::mv(source)) {}
  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override {
    return source->read(buffer, minBytes, maxBytes);
  }
  kj::Maybe<uint64_t> tryGetLength() override { return source->tryGetLength(); }

 private:
  kj::Own<BodySource> source;
};

}  // namespace

namespace {

// A body passed through from elsewhere (a subrequest's response). Its failures are FAILED
// whatever KJ called them: DISCONNECTED on this side means our own client left, and a body cut
// off upstream must not be ended cleanly as if it were complete.
class UpstreamStream final : public kj::AsyncInputStream {
 public:
  explicit UpstreamStream(kj::Own<kj::AsyncInputStream> inner) : inner(kj::mv(inner)) {}
  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override {
    return inner->tryRead(buffer, minBytes, maxBytes).catch_([](kj::Exception&& e) -> size_t {
      kj::throwFatalException(KJ_EXCEPTION(FAILED, "the upstream body failed", e.getDescription()));
    });
  }
  kj::Maybe<uint64_t> tryGetLength() override { return inner->tryGetLength(); }

 private:
  kj::Own<kj::AsyncInputStream> inner;
};

}  // namespace

kj::Own<kj::AsyncInputStream> BodySource::readThrough(kj::Own<BodySource> source) {
  return kj::heap<ReadThroughStream>(kj::mv(source));
}

kj::Maybe<kj::Own<kj::AsyncInputStream>> BodySource::take() {
  auto result = kj::mv(stream);
  stream = nullptr;
  return result;
}

v8::Local<v8::Object> JsApi::newBodySource(v8::Local<v8::Context> context,
                                           kj::Own<BodySource> source) {
  return js::wrapWithMethods(context, kj::heap<SourceRef>(SourceRef{kj::mv(source)}), &SOURCE_TAG,
                             BODY_SOURCE_METHODS);
}

kj::ArrayPtr<const NativeFunction> fetchNatives() {
  return FETCH_NATIVES;
}

kj::Promise<void> JsApi::sendResponse(io::IoContext& ioContext, v8::Global<v8::Value> value,
                                      kj::HttpService::Response& response) {
  // prepareResponse reads the tenant's Response (its getters, a stream's state): on a stack of
  // its own, like every entry from the loop.
  auto prepare = [this, value = kj::mv(value)](v8::Local<v8::Context> context) -> Prepared {
    auto isolate = context->GetIsolate();
    Prepared p;
    p.headers = kj::heap<kj::HttpHeaders>(host.getHeaderTable());
    v8::TryCatch tryCatch(isolate);
    v8::Local<v8::Value> args[] = {value.Get(isolate)};
    v8::Local<v8::Value> descValue;
    if (!callInternal(context, "prepareResponse", args).ToLocal(&descValue) ||
        !descValue->IsObject()) {
      p.error = js::describeTryCatch(isolate, tryCatch);
      return p;
    }
    auto desc = descValue.As<v8::Object>();
    p.status = js::getProperty(context, desc, "status")->Uint32Value(context).FromMaybe(500);
    p.statusText = toKj(isolate, js::getProperty(context, desc, "statusText"));
    if (!headersFromJs(context, js::getProperty(context, desc, "headers"), *p.headers)) {
      p.error = js::describeTryCatch(isolate, tryCatch);
      return p;
    }
    auto body = js::getProperty(context, desc, "body");
    KJ_IF_MAYBE (bytes, js::viewBytes(body)) {
      p.bytes = kj::heapArray<kj::byte>(*bytes);
      p.hasBody = true;
    } else KJ_IF_MAYBE (source, js::unwrap<SourceRef>(body, &SOURCE_TAG)) {
      // A body that came from elsewhere untouched (a proxied fetch): pump it in KJ, no JS.
      p.nativeBody = source->source->take();
      p.hasBody = true;
      if (p.nativeBody == nullptr) {
        p.error = kj::str("TypeError: The response body was already read.");
        return p;
      }
    } else if (body->IsObject()) {
      p.reader.Reset(isolate, body.As<v8::Object>());
      p.hasBody = true;
    }
    return p;
  };
  return runtime.runSliced(ioContext, kj::mv(prepare))
      .then([this, &ioContext, &response](Prepared&& prepared) {
        return sendPrepared(ioContext, kj::mv(prepared), response);
      });
}

kj::Promise<void> JsApi::sendPrepared(io::IoContext& ioContext, Prepared&& prepared,
                                      kj::HttpService::Response& response) {
  KJ_IF_MAYBE (error, prepared.error) {
    // Not a Response, say, or stopped by a limit while it was read: the caller learns why.
    if (runtime.isTerminated())
      return userError("Error", runtime.terminationMessage());
    kj::StringPtr message = *error;
    if (message.startsWith("TypeError: "))
      message = message.slice(strlen("TypeError: "));
    // The first line: the rest is the stack, which runs through kiln's own built-ins.
    KJ_IF_MAYBE (newline, message.findFirst('\n')) {
      return userError("TypeError", kj::str(message.slice(0, *newline)));
    }
    return userError("TypeError", message);
  }
  if (prepared.statusText.size() == 0) {
    prepared.statusText = kj::str(kj::HttpHeaders::Response{}.statusText);
  }
  if (!prepared.hasBody) {
    response.send(prepared.status, prepared.statusText, *prepared.headers, uint64_t(0));
    return kj::READY_NOW;
  }
  KJ_IF_MAYBE (bytes, prepared.bytes) {
    auto stream = response.send(prepared.status, prepared.statusText, *prepared.headers,
                                uint64_t(bytes->size()));
    auto ptr = bytes->asPtr();
    return stream->write(ptr.begin(), ptr.size()).attach(kj::mv(stream), kj::mv(*bytes));
  }

  KJ_IF_MAYBE (source, prepared.nativeBody) {
    auto in = kj::heap<UpstreamStream>(kj::mv(*source));
    auto stream =
        response.send(prepared.status, prepared.statusText, *prepared.headers, in->tryGetLength());
    return in->pumpTo(*stream).ignoreResult().attach(kj::mv(in), kj::mv(stream));
  }

  // A streamed body: pull chunks from the JavaScript reader until it ends.
  auto stream = response.send(prepared.status, prepared.statusText, *prepared.headers, nullptr);
  auto reader = kj::heap(kj::mv(prepared.reader));
  return pumpReader(ioContext, *reader, *stream).attach(kj::mv(stream), kj::mv(reader));
}

kj::Promise<void> JsApi::pumpReader(io::IoContext& ioContext, v8::Global<v8::Object>& reader,
                                    kj::AsyncOutputStream& out) {
  // The reader runs the tenant's pull(): on a stack of its own, so that it can be suspended.
  auto next = runtime.runSliced(
      ioContext, [this, &reader](v8::Local<v8::Context> context) -> kj::Promise<io::Settled> {
        auto isolate = context->GetIsolate();
        v8::TryCatch tryCatch(isolate);
        auto obj = reader.Get(isolate);
        auto read = js::getProperty(context, obj, "read");
        v8::Local<v8::Value> result;
        if (!read->IsFunction() ||
            !read.As<v8::Function>()->Call(context, obj, 0, nullptr).ToLocal(&result)) {
          return io::Settled{
              true, v8::Global<v8::Value>(isolate, tryCatch.HasCaught()
                                                       ? tryCatch.Exception()
                                                       : v8::Undefined(isolate).As<v8::Value>())};
        }
        return runtime.awaitJs(context, result);
      });
  // A stream that nothing can ever feed (no timer, fetch or read pending anywhere in the event)
  // is hung like a handler that never answers: the body is cut off instead of left open.
  auto read =
      next.then([](io::Settled&& settled) { return kj::Maybe<io::Settled>(kj::mv(settled)); });
  auto hung = ioContext.whenHung().then([]() { return kj::Maybe<io::Settled>(nullptr); });
  return read.exclusiveJoin(kj::mv(hung))
      .then([this, &ioContext, &reader, &out](kj::Maybe<io::Settled>&& maybe) -> kj::Promise<void> {
        if (maybe == nullptr) {
          host.log("error", kj::str("response body stopped: ", io::HUNG_MESSAGE));
          return KJ_EXCEPTION(FAILED, "response body stream hung");
        }
        // The read made progress: a hung verdict reached meanwhile (e.g. while the previous chunk
        // waited for the reader) is stale.
        ioContext.notHung();
        auto settled = kj::mv(KJ_ASSERT_NONNULL(maybe));
        if (runtime.isTerminated() || settled.value.IsEmpty()) {
          // The isolate was stopped (CPU, memory) while the body streamed: a settled promise then
          // carries no value. The body ends abruptly, so the client cannot take it for complete.
          host.log("error", kj::str("response body stopped: ", runtime.terminationMessage()));
          // FAILED, not DISCONNECTED (which means the client left): the connection is dropped
          // without the body's final chunk, so the client cannot take a cut body for a whole one.
          return KJ_EXCEPTION(FAILED, "response body stream failed");
        }
        if (settled.rejected) {
          return runtime
              .runSliced(ioContext,
                         [settled = kj::mv(settled)](v8::Local<v8::Context> context) {
                           return js::describeException(context->GetIsolate(),
                                                        settled.get(context->GetIsolate()));
                         })
              .then([this](kj::String message) -> kj::Promise<void> {
                host.log("error", kj::str("Uncaught (in response body) ", message));
                return KJ_EXCEPTION(FAILED, "response body stream failed");
              });
        }
        // Another event of this isolate may hold it, suspended: these entries wait for their turn.
        return runtime
            .runSliced(ioContext,
                       [settled = kj::mv(settled)](
                           v8::Local<v8::Context> context) -> kj::Maybe<kj::Array<kj::byte>> {
                         KJ_IF_MAYBE (bytes, js::viewBytes(settled.get(context->GetIsolate()))) {
                           return kj::heapArray<kj::byte>(*bytes);
                         }
                         return nullptr;
                       })
            .then([this, &ioContext, &reader,
                   &out](kj::Maybe<kj::Array<kj::byte>> chunk) -> kj::Promise<void> {
              return writeChunk(ioContext, reader, out, kj::mv(chunk));
            });
      });
}

kj::Promise<void> JsApi::writeChunk(io::IoContext& ioContext, v8::Global<v8::Object>& reader,
                                    kj::AsyncOutputStream& out,
                                    kj::Maybe<kj::Array<kj::byte>> chunk) {
  {
    KJ_IF_MAYBE (c, chunk) {
      auto ptr = c->asPtr();
      // A write into a socket with room completes at once, and KJ runs ready work before it
      // looks at I/O again: an endless stream would keep every other connection on this loop
      // waiting. A zero timer goes through the event port, which serves them first.
      // Waiting for the reader to take the chunk is not hanging: nothing else may be pending.
      return ioContext.busyWhile(out.write(ptr.begin(), ptr.size()))
          .attach(kj::mv(*c))
          .then([&ioContext]() { return ioContext.getTimer().afterDelay(0 * kj::MILLISECONDS); })
          .then([this, &ioContext, &reader, &out]() { return pumpReader(ioContext, reader, out); });
    }
    return kj::READY_NOW;  // End of body.
  }
}

}  // namespace kiln::api
