// A worker: one Runtime (isolate + context) running one set of modules with one env. Built the
// same way whether it comes from the config file or from a Worker Loader at run time.
#pragma once

#include "src/api/js-api.h"
#include "src/api/serialize.h"
#include "src/io/runtime.h"
#include "src/js/modules.h"

#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/function.h>
#include <kj/map.h>
#include <kj/one-of.h>

namespace kiln::worker {

class Worker;

struct Binding {
  enum class Type { TEXT, DATA, JSON, SERVICE, NULL_VALUE, FACTORY };
  kj::String name;
  Type type;
  kj::String text;                   // TEXT, JSON
  kj::Array<kj::byte> data;          // DATA
  kj::Own<api::Capability> service;  // SERVICE
  kj::Function<v8::Local<v8::Value>(v8::Local<v8::Context>, Worker&)> factory;
  // FACTORY: bindings whose object a higher layer builds (e.g. a Worker Loader).
};

struct WorkerSource {
  kj::String name;
  kj::Array<js::ModuleSource> modules;
  kj::String mainModule;
  kj::String compatibilityDate;
  kj::Array<kj::String> compatibilityFlags;
  kj::Array<Binding> bindings;
  kj::Maybe<api::SerializedValue> env;
  kj::Maybe<kj::String> envJson;
  // Or, from callers outside any isolate, a JSON object.
  // A dynamic worker's env, cloned from its parent; bindings are added on top of it.
};

struct WorkerOptions {
  kj::Timer& timer;
  kj::HttpHeaderTable& headerTable;
  kj::Maybe<kj::Own<api::Capability>> globalOutbound;
  // Null: fetch() rejects; the worker reaches the world only through its bindings.
  js::IsolateLimits limits;
  kj::Function<void(kj::StringPtr level, kj::StringPtr message)> log;
  uint32_t startupCpuMs = 0;
  // CPU allowed for evaluating the modules; 0 means unlimited (configured workers).
  io::IoLimits eventLimits = {1000, 0};
  // This worker's own limits. Every event it runs (fetch, RPC, calls into RpcTargets and
  // functions it handed out, tests, alarms), however it was reached, runs under them; callers
  // can only tighten them. The CPU limit also bounds any other entry into its isolate.

  kj::Array<kj::Own<api::Capability>> tails = nullptr;
  // Each gets `tail([traceItem])` after every event of this worker.
  kj::Array<kj::Own<api::Capability>> streamingTails = nullptr;
  // Each gets the event as streamed tail events (`tailStream(onset)`, then its handler for each
  // later one), all sent once the event ends: the trace is the same one tails get.

  kj::Array<Binding> exportOverrides = nullptr;
  // ctx.exports entries replaced by these (FACTORY) values: a Durable Object class's entry is
  // its namespace (`ctx.exports.Counter.getByName(...)`).

  kj::StringPtr metricsName = nullptr;
  // The worker label in /metrics (dynamic workers use their parent's, not one per load).
};

kj::String failureText(v8::Isolate* isolate, v8::TryCatch& tryCatch);

kj::Promise<io::Settled> orWhenHung(io::IoContext& ctx, kj::Promise<io::Settled> settled);
// What the event waits for, or a rejection with no value once the event is hung (ctx.isHung()).

class StartupError {
  // Thrown by Worker's constructor when user code fails to load. `message` is the JavaScript
  // error, fit to show the user as is.
 public:
  kj::String message;
};

class Worker final : public api::ApiHost, private kj::TaskSet::ErrorHandler {
 public:
  Worker(WorkerSource source, WorkerOptions options);
  // Throws StartupError.
  ~Worker() noexcept(false);
  KJ_DISALLOW_COPY(Worker);

  kj::StringPtr getName() const { return name; }
  kj::Timer& getTimer() { return options.timer; }
  api::JsApi& getApi() { return *api; }
  size_t memoryUsage();
  // V8 heap plus ArrayBuffer memory of this worker's isolate, in bytes.
  io::Runtime& getRuntime() { return *runtime; }

  kj::Own<api::Capability> getEntrypoint(kj::Maybe<kj::StringPtr> entrypoint,
                                         kj::Maybe<kj::StringPtr> propsJson);
  // Delivers requests to the named export's fetch() (null: the default export). Throws
  // StartupError "Worker has no such entrypoint: <name>" for an unknown export.

  bool hasEntrypoint(kj::StringPtr name);

  kj::Array<kj::String> listTests();
  // Names of exports with a test() handler, in module order ("default" included).

  kj::Promise<kj::Maybe<kj::String>> runTest(kj::StringPtr exportName, io::IoLimits limits);
  // Null when the test passed, else the failure (JS stack).

  class TargetProvider {
    // Supplies the object whose handlers an event calls, instead of one of the worker's exports
    // (a Durable Object instance).
   public:
    virtual v8::MaybeLocal<v8::Object> getTarget(v8::Local<v8::Context> context,
                                                 Worker& worker) = 0;
    virtual kj::Own<io::RevocationScope> receivedStubScope() = 0;
    // Where stubs received by the object's events go: they last as long as the object.
  };

  v8::MaybeLocal<v8::Object> constructExport(v8::Local<v8::Context> context,
                                             kj::StringPtr className,
                                             kj::ArrayPtr<v8::Local<v8::Value>> args);
  // `new exports[className](...args)`; TypeError if that export is not a class.
  v8::Local<v8::Object> getEnv(v8::Isolate* isolate) { return env.Get(isolate); }
  v8::Local<v8::Object> getCtxExports(v8::Isolate* isolate) { return ctxExports.Get(isolate); }

  struct LocalEntrypoint {
    kj::StringPtr name;
    kj::Maybe<kj::StringPtr> propsJson;  // given with ctx.exports.X({props})
  };
  kj::Maybe<LocalEntrypoint> localEntrypoint(api::Capability& cap);
  // The export a ctx.exports stub of *this* worker stands for, and its props (used to run a
  // local class as a Durable Object facet); null for any other capability.

  kj::Promise<void> handleFetch(kj::Maybe<kj::StringPtr> entrypoint,
                                kj::Maybe<kj::StringPtr> propsJson, kj::HttpMethod method,
                                kj::StringPtr url, const kj::HttpHeaders& headers,
                                kj::AsyncInputStream& requestBody,
                                kj::HttpService::Response& response, io::IoLimits limits,
                                kj::Maybe<TargetProvider&> target = nullptr);
  // A failure before the response (the handler threw, a limit, a hang) rejects with the reason
  // as a userError, so the caller's fetch() rejects with it, as in workerd; an HTTP listener
  // turns that into a plain 500 (server/connection.h's ErrorPageService).

  kj::Promise<api::CallResult> handleCall(kj::Maybe<kj::StringPtr> entrypoint,
                                          kj::Maybe<kj::StringPtr> propsJson, kj::String method,
                                          api::SerializedValue args, io::IoLimits limits,
                                          kj::Maybe<TargetProvider&> target = nullptr);
  // JS RPC: calls `method` on a new instance of the entrypoint class, with `ctx.props` (or on
  // the target's object).

  kj::Promise<kj::String> handleJsonCall(kj::Maybe<kj::StringPtr> entrypoint,
                                         kj::Maybe<kj::StringPtr> propsJson, kj::String method,
                                         kj::String paramsJson, io::IoLimits limits,
                                         kj::Maybe<TargetProvider&> target = nullptr);
  // With a target, `method` is one of the object's handlers (e.g. a Durable Object's alarm()).
  // The same with JSON arguments and result, for callers outside any isolate.

  using Invoke = kj::Function<v8::MaybeLocal<v8::Value>(v8::Local<v8::Context> context,
                                                        v8::Local<v8::Array> args)>;
  kj::Promise<api::CallResult> runCall(io::IoLimits limits, api::SerializedValue args,
                                       Invoke invoke, kj::StringPtr methodName = "",
                                       kj::Maybe<kj::Own<io::RevocationScope>> stubScope = nullptr,
                                       kj::Maybe<kj::StringPtr> entrypoint = nullptr);
  // Runs one incoming RPC call as an event of its own: arguments in, result (or the thrown
  // error) out, RpcTargets and functions in the result passed by reference.

  class Liveness : public kj::Refcounted {
   public:
    bool alive = true;
  };
  kj::Own<Liveness> getLiveness() { return kj::addRef(*liveness); }
  io::IoLimits getCallbackLimits() const { return options.eventLimits; }
  // Capabilities into this worker (RpcTargets it handed out) outlive it in other workers; they
  // check this before calling in.

  kj::Promise<void> onBackgroundIdle();
  // Resolves when no waitUntil() work is pending (used by drain and `kiln test`).

  // ApiHost
  void log(kj::StringPtr level, kj::StringPtr message) override;
  kj::Maybe<kj::HttpClient&> getGlobalOutbound() override;
  kj::Maybe<api::Capability&> getGlobalOutboundCapability() override;
  kj::Own<api::Capability> newTargetCapability(v8::Local<v8::Context> context,
                                               v8::Local<v8::Object> target) override;
  kj::HttpHeaderTable& getHeaderTable() override { return options.headerTable; }
  bool hasTails() override { return options.tails.size() > 0 || options.streamingTails.size() > 0; }

 private:
  kj::String name;
  WorkerOptions options;
  kj::Own<io::Runtime> runtime;
  kj::Own<js::ModuleRegistry> modules;
  kj::Own<api::JsApi> api;
  kj::Array<Binding> bindings;
  v8::Global<v8::Object> env;
  v8::Global<v8::Object> exports;  // the main module's namespace
  kj::HashSet<kj::String> exportNames;
  // The namespace's names, fixed once the module has evaluated: looking one up must not enter
  // the isolate, which a suspended event may hold (io/timeslice.h).
  v8::Global<v8::Object> ctxExports;  // ctx.exports
  kj::Maybe<kj::Own<kj::HttpClient>> outboundClient;
  kj::Own<Liveness> liveness = kj::refcounted<Liveness>();
  kj::TaskSet background;
  uint32_t backgroundCount = 0;
  kj::Vector<kj::Own<kj::PromiseFulfiller<void>>> idleWaiters;

  void taskFailed(kj::Exception&& exception) override;

  void keepInBackground(kj::Own<io::IoContext> ioContext);
  void recordException(io::IoContext& ctx, v8::Local<v8::Context> context,
                       v8::Local<v8::Value> error);
  void finishEvent(io::IoContext& ctx, unsigned status, kj::TimePoint startTime);
  uint64_t eventCounter = 0;
  v8::Local<v8::Value> parseProps(v8::Local<v8::Context> context,
                                  kj::Maybe<kj::StringPtr> propsJson);
};

}  // namespace kiln::worker
