#include "src/worker/worker.h"

#include "src/api/snapshot.h"
#include "src/js/platform.h"
#include "src/js/stack.h"
#include "src/js/value.h"
#include "src/util/log.h"
#include "src/util/metrics.h"

#include <kj/debug.h>

namespace kiln::worker {

using js::newString;
using js::toKj;

namespace {}  // namespace

kj::Promise<io::Settled> orWhenHung(io::IoContext& ctx, kj::Promise<io::Settled> settled) {
  return settled.exclusiveJoin(ctx.whenHung().then([]() { return io::Settled{true, {}}; }));
}

namespace {

kj::Exception gone() {
  return api::userError("Error",
                        "This stub's Worker is no longer running: it was unloaded after its "
                        "owner let go of it. Keep the Worker (or get() it again) to call it.");
}

// Delivers HTTP requests to one export of a worker, with fixed props. A ctx.exports stub can
// travel to other workers and outlive this one (a dynamic worker its parent let go of), so it
// checks that the worker still exists before every use.
class EntrypointCapability final : public api::Capability {
 public:
  EntrypointCapability(Worker& worker, kj::Maybe<kj::String> entrypoint,
                       kj::Maybe<kj::String> props)
      : worker(worker),
        liveness(worker.getLiveness()),
        entrypoint(kj::mv(entrypoint)),
        props(kj::mv(props)) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    if (!liveness->alive)
      return gone();
    return worker.handleFetch(entrypoint.map([](auto& s) -> kj::StringPtr { return s; }),
                              props.map([](auto& s) -> kj::StringPtr { return s; }), method, url,
                              headers, requestBody, response, io::IoLimits::unlimited());
  }

  kj::Promise<api::CallResult> call(kj::String method, api::SerializedValue args) override {
    if (!liveness->alive)
      return gone();
    return worker.handleCall(entrypoint.map([](auto& s) -> kj::StringPtr { return s; }),
                             props.map([](auto& s) -> kj::StringPtr { return s; }), kj::mv(method),
                             kj::mv(args), io::IoLimits::unlimited());
  }

  kj::Promise<kj::String> callJson(kj::String method, kj::String paramsJson) override {
    if (!liveness->alive)
      return gone();
    return worker.handleJsonCall(entrypoint.map([](auto& s) -> kj::StringPtr { return s; }),
                                 props.map([](auto& s) -> kj::StringPtr { return s; }),
                                 kj::mv(method), kj::mv(paramsJson), io::IoLimits::unlimited());
  }

  kj::Maybe<kj::StringPtr> getPropsJson() {
    return props.map([](auto& s) -> kj::StringPtr { return s; });
  }
  kj::Maybe<Worker&> getWorker() {
    if (!liveness->alive)
      return nullptr;
    return worker;
  }
  kj::Maybe<kj::StringPtr> getEntrypointName() {
    return entrypoint.map([](kj::String& s) -> kj::StringPtr { return s; });
  }

  kj::Maybe<kj::Own<api::Capability>> withProps(kj::String propsJson) override {
    if (!liveness->alive)
      return nullptr;
    return kj::Own<api::Capability>(kj::refcounted<EntrypointCapability>(
        worker, entrypoint.map([](auto& s) { return kj::str(s); }), kj::mv(propsJson)));
  }

 private:
  Worker& worker;  // Only touched while liveness->alive.
  kj::Own<Worker::Liveness> liveness;
  kj::Maybe<kj::String> entrypoint;
  kj::Maybe<kj::String> props;
};

}  // namespace

namespace {

// Remembers whether a response was started, so that a failure half-way through a body is not
// answered with a second status line (which KJ cannot do; the connection is dropped instead).
class TrackingResponse final : public kj::HttpService::Response {
 public:
  explicit TrackingResponse(kj::HttpService::Response& inner) : inner(inner) {}
  bool started = false;
  unsigned status = 0;

  kj::Own<kj::AsyncOutputStream> send(unsigned statusCode, kj::StringPtr statusText,
                                      const kj::HttpHeaders& headers,
                                      kj::Maybe<uint64_t> expectedBodySize) override {
    started = true;
    status = statusCode;
    return inner.send(statusCode, statusText, headers, expectedBodySize);
  }
  kj::Own<kj::WebSocket> acceptWebSocket(const kj::HttpHeaders& headers) override {
    started = true;
    return inner.acceptWebSocket(headers);
  }

 private:
  kj::HttpService::Response& inner;
};

}  // namespace

kj::String failureText(v8::Isolate* isolate, v8::TryCatch& tryCatch) {
  if (!tryCatch.CanContinue())
    return kj::str("the worker was terminated");
  return js::describeTryCatch(isolate, tryCatch);
}

Worker::Worker(WorkerSource source, WorkerOptions optionsParam)
    : name(kj::mv(source.name)),
      options(kj::mv(optionsParam)),
      bindings(kj::mv(source.bindings)),
      background(*this) {
  KJ_IF_MAYBE (outbound, options.globalOutbound) {
    outboundClient = kj::newHttpClient(**outbound);
  }
  auto limits = options.limits;
  limits.snapshot = api::getStartupSnapshot();
  limits.externalReferences = api::getExternalReferences();
  runtime = kj::heap<io::Runtime>(name, limits);
  runtime->setEventLimits(options.eventLimits);
  api = kj::heap<api::JsApi>(*runtime, *this);

  io::Runtime::Scope scope(*runtime);
  auto context = scope.context;
  auto isolate = context->GetIsolate();
  v8::TryCatch tryCatch(isolate);
  // For behaviour that depends on the compatibility date ("YYYY-MM-DD" compares as a string).
  api->getInternal(isolate)
      ->Set(context, newString(isolate, "compatibilityDate"),
            newString(isolate, source.compatibilityDate))
      .Check();

  // Module evaluation is the worker's own code too: an endless top-level loop must not hold
  // the thread forever.
  kj::Maybe<io::CpuGuard> startupGuard;
  if (options.startupCpuMs > 0) {
    startupGuard.emplace(isolate, int64_t(options.startupCpuMs) * 1000000);
  }
  auto failureText = [&](v8::Isolate* isolate, v8::TryCatch& tryCatch) -> kj::String {
    // The entry's ceiling guard (the worker's cpuMs) can fire a tick before the startup guard.
    bool cpu = !tryCatch.CanContinue() && io::cpuLimitReached();
    KJ_IF_MAYBE (guard, startupGuard) {
      guard->stop();
      cpu = cpu || guard->fired();
    }
    if (runtime->getJsIsolate().exceededMemory())
      return kj::str("Worker exceeded memory limit.");
    if (cpu)
      return kj::str("Worker exceeded CPU time limit.");
    return worker::failureText(isolate, tryCatch);
  };

  // env: one object for the worker's lifetime, also importable from "cloudflare:workers".
  v8::Local<v8::Object> envObj;
  KJ_IF_MAYBE (serialized, source.env) {
    v8::Local<v8::Value> value;
    if (!api::deserialize(context, *serialized).ToLocal(&value) || !value->IsObject()) {
      throw StartupError{kj::str("env could not be delivered: ", failureText(isolate, tryCatch))};
    }
    envObj = value.As<v8::Object>();
  } else KJ_IF_MAYBE (json, source.envJson) {
    v8::Local<v8::Value> value;
    if (!v8::JSON::Parse(context, newString(isolate, *json)).ToLocal(&value) ||
        !value->IsObject() || value->IsArray()) {
      throw StartupError{kj::str(
          "env must be a JSON object: ",
          tryCatch.HasCaught() ? failureText(isolate, tryCatch) : kj::str("it is not an object"))};
    }
    envObj = value.As<v8::Object>();
  } else {
    envObj = v8::Object::New(isolate);
  }
  for (auto& binding: bindings) {
    v8::Local<v8::Value> value;
    switch (binding.type) {
      case Binding::Type::TEXT:
        value = newString(isolate, binding.text);
        break;
      case Binding::Type::DATA: {
        v8::Local<v8::ArrayBuffer> buffer;
        if (!js::newArrayBuffer(isolate, binding.data.size()).ToLocal(&buffer)) {
          throw StartupError{
              kj::str("Binding \"", binding.name, "\" does not fit in the worker's memory limit.")};
        }
        if (binding.data.size() > 0) {
          memcpy(buffer->Data(), binding.data.begin(), binding.data.size());
        }
        value = buffer;
        break;
      }
      case Binding::Type::JSON:
        if (!v8::JSON::Parse(context, newString(isolate, binding.text)).ToLocal(&value)) {
          throw StartupError{kj::str("Binding \"", binding.name,
                                     "\" is not valid JSON: ", failureText(isolate, tryCatch))};
        }
        break;
      case Binding::Type::SERVICE:
        value = api->newStub(context, binding.service->addRef());
        break;
      case Binding::Type::NULL_VALUE:
        value = v8::Null(isolate);
        break;
      case Binding::Type::FACTORY:
        value = binding.factory(context, *this);
        break;
    }
    envObj->Set(context, newString(isolate, binding.name), value).Check();
  }
  env.Reset(isolate, envObj);

  auto ctxExportsObj = v8::Object::New(isolate);
  ctxExports.Reset(isolate, ctxExportsObj);

  modules = kj::heap<js::ModuleRegistry>(isolate, kj::mv(source.modules));
  modules->attach(context);
  {
    auto workersExports = v8::Object::New(isolate);
    auto internal = api->getInternal(isolate);
    auto classes = js::getProperty(context, internal, "workersModule").As<v8::Object>();
    v8::Local<v8::Array> names = classes->GetOwnPropertyNames(context).ToLocalChecked();
    for (uint32_t i = 0; i < names->Length(); i++) {
      auto key = names->Get(context, i).ToLocalChecked();
      workersExports->Set(context, key, classes->Get(context, key).ToLocalChecked()).Check();
    }
    workersExports->Set(context, newString(isolate, "env"), envObj).Check();
    workersExports->Set(context, newString(isolate, "exports"), ctxExportsObj).Check();
    modules->addBuiltin("cloudflare:workers", workersExports);
    auto sockets = js::getProperty(context, internal, "socketsModule").As<v8::Object>();
    modules->addBuiltin("cloudflare:sockets", sockets);
  }

  if (!modules->has(source.mainModule)) {
    throw StartupError{kj::str("The main module \"", source.mainModule, "\" is not defined.")};
  }
  v8::Local<v8::Object> ns;
  if (!modules->evaluate(context, source.mainModule).ToLocal(&ns)) {
    throw StartupError{failureText(isolate, tryCatch)};
  }
  exports.Reset(isolate, ns);
  KJ_IF_MAYBE (guard, startupGuard) {
    guard->stop();
  }

  // ctx.exports: a loopback stub for every export that can take requests or RPC calls.
  auto internal = api->getInternal(isolate);
  auto hasHandler = js::getProperty(context, internal, "hasHandler").As<v8::Function>();
  v8::Local<v8::Array> names = ns->GetOwnPropertyNames(context).ToLocalChecked();
  for (uint32_t i = 0; i < names->Length(); i++) {
    auto key = names->Get(context, i).ToLocalChecked();
    exportNames.insert(toKj(isolate, key));
    auto value = ns->Get(context, key).ToLocalChecked();
    // Entrypoint classes (RPC and fetch) and objects with a fetch() handler.
    v8::Local<v8::Value> args[] = {value, newString(isolate, "fetch")};
    v8::Local<v8::Value> has;
    if (!hasHandler->Call(context, internal, 2, args).ToLocal(&has))
      continue;
    if (!has->BooleanValue(isolate)) {
      auto isClass = js::getProperty(context, internal, "isEntrypointClass").As<v8::Function>();
      v8::Local<v8::Value> classArgs[] = {value};
      v8::Local<v8::Value> result;
      if (!isClass->Call(context, internal, 1, classArgs).ToLocal(&result) ||
          !result->BooleanValue(isolate)) {
        continue;
      }
    }
    auto exportName = toKj(isolate, key);
    kj::Maybe<kj::String> entry;
    if (exportName != "default")
      entry = kj::heapString(exportName);
    auto cap = kj::refcounted<EntrypointCapability>(*this, kj::mv(entry), nullptr);
    ctxExportsObj
        ->Set(context, key, api->newStub(context, kj::mv(cap), api::JsApi::StubKind::WITH_PROPS))
        .Check();
  }
  for (auto& override: options.exportOverrides) {
    ctxExportsObj->Set(context, newString(isolate, override.name), override.factory(context, *this))
        .Check();
  }
}

Worker::~Worker() noexcept(false) {
  // First: a suspended event's stack still uses the API, the modules and the worker itself.
  runtime->cancelSuspended();
  liveness->alive = false;
  {
    js::Lock lock(runtime->getIsolate());
    env.Reset();
    exports.Reset();
    ctxExports.Reset();
    modules = nullptr;
    api = nullptr;
  }
  runtime = nullptr;
}

void Worker::log(kj::StringPtr level, kj::StringPtr message) {
  options.log(level, message);
}

size_t Worker::memoryUsage() {
  v8::HeapStatistics stats;
  runtime->getIsolate()->GetHeapStatistics(&stats);
  return stats.used_heap_size() + runtime->getJsIsolate().externalMemory();
}

kj::Maybe<kj::HttpClient&> Worker::getGlobalOutbound() {
  KJ_IF_MAYBE (client, outboundClient) {
    return **client;
  }
  return nullptr;
}

kj::Maybe<api::Capability&> Worker::getGlobalOutboundCapability() {
  KJ_IF_MAYBE (cap, options.globalOutbound) {
    return **cap;
  }
  return nullptr;
}

bool Worker::hasEntrypoint(kj::StringPtr entrypoint) {
  return exportNames.contains(entrypoint);
}

kj::Own<api::Capability> Worker::getEntrypoint(kj::Maybe<kj::StringPtr> entrypoint,
                                               kj::Maybe<kj::StringPtr> propsJson) {
  KJ_IF_MAYBE (e, entrypoint) {
    if (!hasEntrypoint(*e)) {
      throw StartupError{kj::str("Worker has no such entrypoint: ", *e)};
    }
  }
  return kj::refcounted<EntrypointCapability>(
      *this, entrypoint.map([](kj::StringPtr s) { return kj::heapString(s); }),
      propsJson.map([](kj::StringPtr s) { return kj::heapString(s); }));
}

v8::Local<v8::Value> Worker::parseProps(v8::Local<v8::Context> context,
                                        kj::Maybe<kj::StringPtr> propsJson) {
  auto isolate = context->GetIsolate();
  KJ_IF_MAYBE (json, propsJson) {
    v8::Local<v8::Value> value;
    if (v8::JSON::Parse(context, newString(isolate, *json)).ToLocal(&value))
      return value;
  }
  return v8::Object::New(isolate);
}

kj::Promise<void> Worker::handleFetch(kj::Maybe<kj::StringPtr> entrypoint,
                                      kj::Maybe<kj::StringPtr> propsJson, kj::HttpMethod method,
                                      kj::StringPtr url, const kj::HttpHeaders& headers,
                                      kj::AsyncInputStream& requestBody,
                                      kj::HttpService::Response& outerResponse, io::IoLimits limits,
                                      kj::Maybe<TargetProvider&> target) {
  if (runtime->isTerminated())
    return api::userError("Error", runtime->terminationMessage());
  uint32_t callerDepth = io::CallerDepth::current();
  if (callerDepth >= io::MAX_CALL_DEPTH)
    return api::userError("Error", io::DEPTH_MESSAGE);

  auto ioContext = kj::heap<io::IoContext>(*runtime, options.timer, limits);
  auto& ctx = *ioContext;
  ctx.setDepth(callerDepth + 1);
  KJ_IF_MAYBE (t, target) {
    ctx.scopeReceivedStubsTo(t->receivedStubScope());  // The object outlives the event.
  }
  auto startTime = kj::systemPreciseMonotonicClock().now();

  // The request body is only valid until this request completes; JS may hold on to it longer.
  bool hasBody = method != kj::HttpMethod::GET && method != kj::HttpMethod::HEAD &&
                 requestBody.tryGetLength().orDefault(1) != 0;
  auto bodySource = kj::refcounted<api::BodySource>(
      kj::Own<kj::AsyncInputStream>(&requestBody, kj::NullDisposer::instance));

  // Requests from HttpServer carry a path; URLs in JavaScript are absolute.
  kj::String fullUrl;
  if (url.startsWith("/")) {
    kj::StringPtr host = "localhost";
    KJ_IF_MAYBE (h, headers.get(kj::HttpHeaderId::HOST)) {
      host = *h;
    }
    fullUrl = kj::str("http://", host, url);
  } else {
    fullUrl = kj::str(url);
  }

  {
    auto trace = kj::heap<io::Trace>();
    trace->scriptName = kj::str(name);
    trace->eventTimestamp = js::frozenNowMillis();
    trace->method = kj::str(method);
    trace->url = kj::str(fullUrl);
    trace->entrypoint = entrypoint.map([](kj::StringPtr e) { return kj::str(e); });
    kj::Vector<kj::String> fields;
    headers.forEach([&](kj::StringPtr name, kj::StringPtr value) {
      auto lower = kj::heapString(name);
      for (auto& c: lower)
        c = tolower(c);
      fields.add(kj::str(jsonQuote(lower), ":", jsonQuote(value)));
    });
    trace->requestHeadersJson = kj::str("{", kj::strArray(fields, ","), "}");
    if (target != nullptr)
      trace->executionModel = "durableObject";
    ctx.setTrace(kj::mv(trace));
  }

  // The event's JavaScript runs on a stack of its own and may be suspended between slices, after
  // this function has returned: it takes copies of what it reads.
  kj::Vector<kj::Tuple<kj::String, kj::String>> headerCopy;
  headers.forEach([&](kj::StringPtr name, kj::StringPtr value) {
    headerCopy.add(kj::tuple(kj::str(name), kj::str(value)));
  });
  kj::Maybe<kj::String> propsCopy;
  KJ_IF_MAYBE (p, propsJson) {
    propsCopy = kj::str(*p);
  }
  auto exportName = kj::str("default");
  KJ_IF_MAYBE (e, entrypoint) {
    exportName = kj::str(*e);
  }
  kj::Maybe<kj::Own<api::BodySource>> source;
  if (hasBody)
    source = kj::addRef(*bodySource);
  auto settled = runtime->runSliced(
      ctx,
      [this, method, fullUrl = kj::str(fullUrl), headerCopy = kj::mv(headerCopy),
       propsCopy = kj::mv(propsCopy), exportName = kj::mv(exportName), source = kj::mv(source),
       target](v8::Local<v8::Context> context) mutable -> kj::Promise<io::Settled> {
        auto isolate = context->GetIsolate();
        v8::TryCatch tryCatch(isolate);
        auto headerList = v8::Array::New(isolate);
        uint32_t i = 0;
        for (auto& header: headerCopy) {
          auto pair = v8::Array::New(isolate, 2);
          pair->Set(context, 0, newString(isolate, kj::get<0>(header))).Check();
          pair->Set(context, 1, newString(isolate, kj::get<1>(header))).Check();
          headerList->Set(context, i++, pair).Check();
        }
        v8::Local<v8::Value> sourceObj = v8::Null(isolate);
        KJ_IF_MAYBE (s, source) {
          sourceObj = api->newBodySource(context, kj::mv(*s));
        }
        v8::Local<v8::Value> requestArgs[] = {newString(isolate, kj::str(method)),
                                              newString(isolate, fullUrl), headerList, sourceObj};
        v8::Local<v8::Value> request;
        kj::Maybe<kj::StringPtr> props;
        KJ_IF_MAYBE (p, propsCopy) {
          props = p->asPtr();
        }
        v8::Local<v8::Value> ctxArgs[] = {parseProps(context, props), ctxExports.Get(isolate)};
        v8::Local<v8::Value> ctxObj;
        v8::Local<v8::Value> result;
        auto ns = exports.Get(isolate);
        KJ_IF_MAYBE (t, target) {
          // A Durable Object: its fetch(request) is a method of the instance.
          v8::Local<v8::Object> instance;
          if (t->getTarget(context, *this).ToLocal(&instance) &&
              api->callInternal(context, "newIncomingRequest", requestArgs).ToLocal(&request)) {
            auto argList = v8::Array::New(isolate, 1);
            argList->Set(context, 0, request).Check();
            v8::Local<v8::Value> callArgs[] = {instance, newString(isolate, "fetch"), argList};
            if (api->callInternal(context, "callInstance", callArgs).ToLocal(&result)) {
              return runtime->awaitJs(context, result);
            }
          }
        } else {
          auto exported = js::getProperty(context, ns, exportName);
          if (api->callInternal(context, "newIncomingRequest", requestArgs).ToLocal(&request) &&
              api->callInternal(context, "newExecutionContext", ctxArgs).ToLocal(&ctxObj)) {
            auto argList = v8::Array::New(isolate, 1);
            argList->Set(context, 0, request).Check();
            v8::Local<v8::Value> callArgs[] = {exported, newString(isolate, "fetch"), argList,
                                               env.Get(isolate), ctxObj};
            if (api->callInternal(context, "callHandler", callArgs).ToLocal(&result)) {
              return runtime->awaitJs(context, result);
            }
          }
        }
        if (!tryCatch.CanContinue()) {
          return io::Settled{true, v8::Global<v8::Value>(isolate, v8::Null(isolate))};
        }
        return io::Settled{true, v8::Global<v8::Value>(isolate, tryCatch.Exception())};
      });

  auto tracking = kj::heap<TrackingResponse>(outerResponse);
  auto& response = *tracking;
  auto promise =
      orWhenHung(ctx, kj::mv(settled))
          .then([this, &ctx, &response](io::Settled&& result) -> kj::Promise<void> {
            if (ctx.isHung()) {
              log("error", io::HUNG_MESSAGE);
              return api::userError("Error", io::HUNG_MESSAGE);
            }
            if (runtime->isTerminated()) {
              log("error", runtime->terminationMessage());
              return api::userError("Error", runtime->terminationMessage());
            }
            if (result.rejected) {
              // Reading the error runs the tenant's getters: on a stack of its own.
              return runtime->runSliced(
                  ctx,
                  [this, &ctx,
                   result = kj::mv(result)](v8::Local<v8::Context> context) -> kj::Promise<void> {
                    auto isolate = context->GetIsolate();
                    auto error = result.get(isolate);
                    recordException(ctx, context, error);
                    auto name =
                        error->IsObject()
                            ? js::toKj(isolate,
                                       js::getProperty(context, error.As<v8::Object>(), "name"))
                            : kj::str("Error");
                    auto text =
                        error->IsObject()
                            ? js::toKj(isolate,
                                       js::getProperty(context, error.As<v8::Object>(), "message"))
                            : js::toKj(isolate, error);
                    log("error", kj::str("Uncaught ", js::describeException(isolate, error)));
                    // In-process callers (service bindings, ctx.exports, stubs, parents) get the
                    // error itself, as in workerd; only an HTTP client gets a 500 (the listener's
                    // ErrorPageService).
                    return api::userError(name.size() > 0 ? name.asPtr() : "Error"_kj, text);
                  });
            }
            return api->sendResponse(ctx, kj::mv(result.value), response)
                .catch_([this, &response](kj::Exception&& e) -> kj::Promise<void> {
                  auto user = api::parseUserError(e);
                  KJ_IF_MAYBE (u, user) {
                    log("error", kj::str("Uncaught ", kj::get<0>(*u), ": ", kj::get<1>(*u)));
                  } else if (e.getType() != kj::Exception::Type::DISCONNECTED) {
                    log("error", kj::str("Failed to send response: ", e.getDescription()));
                  }
                  if (response.started) {
                    // The client went away mid-body: nothing more to do. Anything else drops the
                    // connection.
                    if (e.getType() == kj::Exception::Type::DISCONNECTED)
                      return kj::READY_NOW;
                    return kj::mv(e);
                  }
                  // The caller learns why (an HTTP client gets a 500).
                  return kj::mv(e);
                });
          });

  auto& trackingRef = *tracking;
  return promise
      .then(
          [this, &ctx, &trackingRef, startTime]() -> kj::Promise<void> {
            finishEvent(ctx, trackingRef.status, startTime);
            return kj::READY_NOW;
          },
          [this, &ctx, &trackingRef, startTime](kj::Exception&& e) -> kj::Promise<void> {
            finishEvent(ctx, trackingRef.status, startTime);
            return kj::mv(e);
          })
      .attach(kj::mv(tracking))
      .then([this, ioContext = kj::mv(ioContext)]() mutable {
        if (ioContext->hasWaitUntil())
          keepInBackground(kj::mv(ioContext));
      })
      // The request body belongs to the caller and is only valid until this event ends, however
      // it ends: completed, failed, or canceled because the client went away (then the promise
      // is dropped, which runs the defer). JavaScript may still hold the source; from then on
      // it reads "no longer readable" instead of the caller's freed stream.
      .then([body = kj::addRef(*bodySource)]() mutable { body->detach(); },
            [body = kj::addRef(*bodySource)](kj::Exception&& e) mutable {
              body->detach();
              kj::throwRecoverableException(kj::mv(e));
            })
      .attach(kj::defer([bodySource = kj::mv(bodySource)]() mutable { bodySource->detach(); }));
}

kj::Maybe<Worker::LocalEntrypoint> Worker::localEntrypoint(api::Capability& cap) {
  auto entrypoint = dynamic_cast<EntrypointCapability*>(&cap);
  if (entrypoint == nullptr)
    return nullptr;
  KJ_IF_MAYBE (w, entrypoint->getWorker()) {
    if (w == this) {
      KJ_IF_MAYBE (name, entrypoint->getEntrypointName()) {
        return LocalEntrypoint{*name, entrypoint->getPropsJson()};
      }
    }
  }
  return nullptr;
}

v8::MaybeLocal<v8::Object> Worker::constructExport(v8::Local<v8::Context> context,
                                                   kj::StringPtr className,
                                                   kj::ArrayPtr<v8::Local<v8::Value>> args) {
  auto isolate = context->GetIsolate();
  auto cls = js::getProperty(context, exports.Get(isolate), className);
  if (!cls->IsFunction()) {
    js::throwTypeError(isolate, kj::str("The worker \"", name,
                                        "\" does not export a class named \"", className, "\"."));
    return {};
  }
  return cls.As<v8::Function>()->NewInstance(context, args.size(), args.begin());
}

void Worker::recordException(io::IoContext& ctx, v8::Local<v8::Context> context,
                             v8::Local<v8::Value> error) {
  KJ_IF_MAYBE (trace, ctx.getTrace()) {
    auto isolate = context->GetIsolate();
    io::Trace::Exception e;
    if (error->IsObject()) {
      auto obj = error.As<v8::Object>();
      e.name = js::toKj(isolate, js::getProperty(context, obj, "name"));
      e.message = js::toKj(isolate, js::getProperty(context, obj, "message"));
      // Its frames alone, without kiln's built-ins, as workerd's tails show it.
      v8::Local<v8::Value> args[] = {js::getProperty(context, obj, "stack")};
      v8::Local<v8::Value> frames;
      e.stack = api->callInternal(context, "stackFrames", args).ToLocal(&frames)
                    ? js::toKj(isolate, frames)
                    : kj::str();
    } else {
      e.name = kj::str("Error");
      e.message = js::toKj(isolate, error);
      e.stack = kj::str();
    }
    e.timestamp = js::frozenNowMillis();
    trace->exceptions.add(kj::mv(e));
    trace->outcome = kj::str("exception");
  }
}

void Worker::finishEvent(io::IoContext& ctx, unsigned status, kj::TimePoint startTime) {
  KJ_IF_MAYBE (traceOwn, ctx.takeTrace()) {
    auto& trace = **traceOwn;
    trace.status = status;
    switch (runtime->getTermination()) {
      case io::Runtime::Termination::NONE:
        break;
      case io::Runtime::Termination::EXCEEDED_CPU:
        trace.outcome = kj::str("exceededCpu");
        metrics::countLimitKill("cpu");
        break;
      case io::Runtime::Termination::EXCEEDED_MEMORY:
        trace.outcome = kj::str("exceededMemory");
        metrics::countLimitKill("memory");
        break;
      case io::Runtime::Termination::OTHER:
        trace.outcome = kj::str("canceled");
        break;
    }
    if (trace.outcome == "ok" && status >= 500 && trace.exceptions.size() > 0) {
      trace.outcome = kj::str("exception");
    }
    auto elapsed = kj::systemPreciseMonotonicClock().now() - startTime;
    trace.cpuTimeMs = double(ctx.getCpuUsedNs()) / 1e6;
    trace.wallTimeMs = double(elapsed / kj::MICROSECONDS) / 1e3;
    metrics::countRequest(options.metricsName == nullptr ? name.asPtr() : options.metricsName,
                          trace.outcome);
    metrics::addCpuNanos(options.metricsName == nullptr ? name.asPtr() : options.metricsName,
                         ctx.getCpuUsedNs());
    if (trace.rpcMethod.size() > 0) {
      logEvent(name, ++eventCounter, "RPC", trace.rpcMethod, status, elapsed / kj::MICROSECONDS,
               ctx.getCpuUsedNs() / 1000, trace.outcome);
    } else {
      logEvent(name, ++eventCounter, trace.method, trace.url, status, elapsed / kj::MICROSECONDS,
               ctx.getCpuUsedNs() / 1000, trace.outcome);
    }
    // A tail's own tail() calls are not traced to the tails again (that would never end).
    if (trace.rpcMethod == "tail" || trace.rpcMethod == "tailStream")
      return;
    // After the response: a tail adds no latency, and one that fails changes nothing here.
    if (options.tails.size() > 0 || options.streamingTails.size() > 0) {
      auto item = trace.toJson();
      auto json = kj::str("[[", item, "]]");
      for (auto& tail: options.tails) {
        background.add(tail->callJson(kj::str("tail"), kj::str(json))
                           .ignoreResult()
                           .catch_([](kj::Exception&&) {}));
      }
      // The tail's side (api/js/workers.js) turns the TraceItem into onset, log, exception,
      // return and outcome events.
      auto streamJson = kj::str("[", item, ",", trace.rpcThrew ? "true" : "false", "]");
      for (auto& tail: options.streamingTails) {
        background.add(tail->callJson(kj::str("tailStream"), kj::str(streamJson))
                           .ignoreResult()
                           .catch_([](kj::Exception&&) {}));
      }
    }
  }
}

void Worker::keepInBackground(kj::Own<io::IoContext> ioContext) {
  ++backgroundCount;
  auto done = ioContext->onWaitUntilDone();
  // Workers also cap waitUntil() at 30 s after the response.
  background.add(done.exclusiveJoin(options.timer.afterDelay(30 * kj::SECONDS))
                     .attach(kj::mv(ioContext))
                     .then([this]() {
                       if (--backgroundCount == 0) {
                         for (auto& waiter: idleWaiters)
                           waiter->fulfill();
                         idleWaiters.clear();
                       }
                     }));
}

kj::Promise<void> Worker::onBackgroundIdle() {
  if (backgroundCount == 0)
    return kj::READY_NOW;
  auto paf = kj::newPromiseAndFulfiller<void>();
  idleWaiters.add(kj::mv(paf.fulfiller));
  return kj::mv(paf.promise);
}

void Worker::taskFailed(kj::Exception&& exception) {
  log("error", kj::str("background task failed: ", exception.getDescription()));
}

kj::Array<kj::String> Worker::listTests() {
  io::Runtime::Scope scope(*runtime);
  auto context = scope.context;
  auto isolate = context->GetIsolate();
  auto ns = exports.Get(isolate);
  auto internal = api->getInternal(isolate);
  auto hasHandler = js::getProperty(context, internal, "hasHandler").As<v8::Function>();
  kj::Vector<kj::String> result;
  v8::Local<v8::Array> names = ns->GetOwnPropertyNames(context).ToLocalChecked();
  for (uint32_t i = 0; i < names->Length(); i++) {
    auto key = names->Get(context, i).ToLocalChecked();
    v8::Local<v8::Value> args[] = {ns->Get(context, key).ToLocalChecked(),
                                   newString(isolate, "test")};
    v8::Local<v8::Value> has;
    if (hasHandler->Call(context, internal, 2, args).ToLocal(&has) && has->BooleanValue(isolate)) {
      result.add(toKj(isolate, key));
    }
  }
  return result.releaseAsArray();
}

kj::Promise<kj::Maybe<kj::String>> Worker::runTest(kj::StringPtr exportName, io::IoLimits limits) {
  auto ioContext = kj::heap<io::IoContext>(*runtime, options.timer, limits);
  auto& ctx = *ioContext;
  auto settled = runtime->runSliced(
      ctx,
      [this, exportName =
                 kj::str(exportName)](v8::Local<v8::Context> context) -> kj::Promise<io::Settled> {
        auto isolate = context->GetIsolate();
        v8::TryCatch tryCatch(isolate);
        v8::Local<v8::Value> ctxArgs[] = {v8::Object::New(isolate), ctxExports.Get(isolate)};
        v8::Local<v8::Value> ctxObj;
        v8::Local<v8::Value> result;
        auto exported = js::getProperty(context, exports.Get(isolate), exportName);
        if (api->callInternal(context, "newExecutionContext", ctxArgs).ToLocal(&ctxObj)) {
          auto argList = v8::Array::New(isolate, 1);
          argList->Set(context, 0, v8::Object::New(isolate)).Check();  // the test controller
          v8::Local<v8::Value> callArgs[] = {exported, newString(isolate, "test"), argList,
                                             env.Get(isolate), ctxObj};
          if (api->callInternal(context, "callHandler", callArgs).ToLocal(&result)) {
            return runtime->awaitJs(context, result);
          }
        }
        return io::Settled{true,
                           v8::Global<v8::Value>(isolate, tryCatch.CanContinue()
                                                              ? tryCatch.Exception()
                                                              : v8::Null(isolate).As<v8::Value>())};
      });
  return orWhenHung(ctx, kj::mv(settled))
      .then([this, &ctx](io::Settled&& result) {
        return ctx.onWaitUntilDone().then(
            [this, &ctx, result = kj::mv(result)]() mutable -> kj::Promise<kj::Maybe<kj::String>> {
              if (ctx.isHung())
                return kj::Maybe<kj::String>(kj::str(io::HUNG_MESSAGE));
              if (runtime->isTerminated())
                return kj::Maybe<kj::String>(kj::str(runtime->terminationMessage()));
              if (!result.rejected)
                return kj::Maybe<kj::String>(nullptr);
              return runtime
                  ->runSliced(ctx,
                              [result = kj::mv(result)](v8::Local<v8::Context> context) {
                                return js::describeException(context->GetIsolate(),
                                                             result.get(context->GetIsolate()));
                              })
                  .then(
                      [](kj::String message) -> kj::Maybe<kj::String> { return kj::mv(message); });
            });
      })
      .attach(kj::mv(ioContext));
}

}  // namespace kiln::worker
