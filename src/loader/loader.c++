#include "src/loader/loader.h"

#include "src/api/natives.h"
#include "src/io/timeslice.h"
#include "src/js/value.h"
#include "src/js/wrap.h"
#include "src/util/metrics.h"

#include <kj/debug.h>
#include <atomic>

namespace kiln::loader {

namespace {
constexpr uint32_t STARTUP_CPU_MS = 1000;
// Cloudflare's "Worker startup time" limit: parsing and running the global scope.
}  // namespace

using js::newString;
using js::toKj;

namespace {

alignas(8) char LOADER_TAG;
alignas(8) char DYNAMIC_TAG;
alignas(8) char ENV_TAG;
alignas(8) char CLASS_TAG;

struct ClassHandle {
  kj::Own<WorkerHandle> worker;
  kj::String className;
};

// What an idle dynamic worker costs outside the parent's heap (measured: ~1.6 MB RSS). Reported
// to V8 for every JS object keeping one alive, so that the parent collects them promptly.
constexpr int64_t WORKER_FOOTPRINT = 2 << 20;

std::atomic<uint32_t> maxLiveWorkers{DEFAULT_MAX_LIVE_WORKERS};
std::atomic<uint32_t> liveWorkers{0};

class LiveWorkerSlot {
  // One of the process's maxLiveWorkers places, held by a started dynamic worker.
 public:
  static kj::Maybe<LiveWorkerSlot> take() {
    uint32_t now = liveWorkers.load();
    do {
      if (now >= maxLiveWorkers.load())
        return nullptr;
    } while (!liveWorkers.compare_exchange_weak(now, now + 1));
    return LiveWorkerSlot();
  }
  LiveWorkerSlot(LiveWorkerSlot&& other) : held(other.held) { other.held = false; }
  ~LiveWorkerSlot() {
    if (held)
      --liveWorkers;
  }
  KJ_DISALLOW_COPY(LiveWorkerSlot);

 private:
  LiveWorkerSlot() = default;
  bool held = true;
};

struct WorkerCode {
  kj::String compatibilityDate;
  kj::Array<kj::String> flags;
  kj::String mainModule;
  kj::Array<js::ModuleSource> modules;
  kj::Maybe<api::SerializedValue> env;
  kj::Maybe<kj::String> envJson;
  bool inheritOutbound = true;
  kj::Maybe<kj::Own<api::Capability>> outbound;
  io::IoLimits limits{0, 0};
  kj::Array<kj::Own<api::Capability>> tails;
  kj::Array<kj::Own<api::Capability>> streamingTails;
};

// What dynamic workers take from the worker that loads them.
struct ParentInfo {
  kj::String name;
  kj::Timer& timer;
  kj::HttpHeaderTable& headerTable;
  kj::Maybe<kj::Own<api::Capability>> outbound;

  ParentInfo share() {
    // For a start that may outlive the binding: its JavaScript wrapper can be collected while
    // a suspended startup waits for its turn.
    kj::Maybe<kj::Own<api::Capability>> sharedOutbound;
    KJ_IF_MAYBE (cap, outbound) {
      sharedOutbound = (*cap)->addRef();
    }
    return ParentInfo{kj::str(name), timer, headerTable, kj::mv(sharedOutbound)};
  }
};

}  // namespace

class DynamicWorker final : public WorkerHandle {
 public:
  DynamicWorker(kj::String name, const LoaderLimits& limits)
      : name(kj::mv(name)), limits(limits), ready(nullptr) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    fulfiller = kj::mv(paf.fulfiller);
    ready = paf.promise.fork();
  }

  kj::StringPtr getName() const { return name; }
  kj::Promise<void> whenReady() override { return ready.addBranch(); }

  void setNamed() { named = true; }
  int64_t footprint() const { return named ? 0 : WORKER_FOOTPRINT; }
  // What a JS object keeping this worker alive should report to V8: a load() worker lives only
  // as long as such objects; a named one stays in its cache anyway, and reporting it on every
  // get() would only make the parent collect garbage over and over.
  worker::Worker& getWorker() override { return *KJ_ASSERT_NONNULL(worker); }
  io::IoLimits getEventLimits() const {
    return io::IoLimits::tighter(limits.eventLimits, codeLimits);
  }

  bool isBroken() override {
    if (failure != nullptr)
      return true;
    KJ_IF_MAYBE (w, worker) {
      return (*w)->getRuntime().isTerminated();
    }
    return false;
  }

  size_t memoryUsage() {
    KJ_IF_MAYBE (w, worker) {
      return (*w)->memoryUsage();
    }
    return 0;
  }

  void start(WorkerCode code, ParentInfo& parent) {
    if (settled)
      return;
    worker::WorkerSource source;
    source.name = kj::str(name);
    source.modules = kj::mv(code.modules);
    source.mainModule = kj::mv(code.mainModule);
    source.compatibilityDate = kj::mv(code.compatibilityDate);
    source.compatibilityFlags = kj::mv(code.flags);
    source.env = kj::mv(code.env);
    source.envJson = kj::mv(code.envJson);
    codeLimits = code.limits;

    kj::Maybe<kj::Own<api::Capability>> outbound;
    if (code.inheritOutbound) {
      KJ_IF_MAYBE (cap, parent.outbound) {
        outbound = (*cap)->addRef();
      }
    } else {
      outbound = kj::mv(code.outbound);
    }
    js::IsolateLimits isolateLimits;
    isolateLimits.heapLimitBytes = limits.heapLimitBytes;
    isolateLimits.usePool = true;
    worker::WorkerOptions options{
        parent.timer, parent.headerTable, kj::mv(outbound), isolateLimits,
        // Without a tail worker, a dynamic worker's logs go nowhere (as in Workers).
        [](kj::StringPtr, kj::StringPtr) {}};
    // Module evaluation is sliced like an event, so a top-level loop delays the thread's other
    // tenants by a slice; this stops it. Workers' startup limit is 1 s.
    auto eventCpu = getEventLimits().cpuMs;
    options.startupCpuMs = eventCpu > 0 ? kj::min(eventCpu, STARTUP_CPU_MS) : STARTUP_CPU_MS;
    options.tails = kj::mv(code.tails);
    options.streamingTails = kj::mv(code.streamingTails);
    metricsName = kj::str(parent.name, "/dynamic");
    options.metricsName = metricsName;
    options.eventLimits = getEventLimits();
    KJ_IF_MAYBE (taken, LiveWorkerSlot::take()) {
      slot = kj::mv(*taken);
    } else {
      fail(kj::str("kiln is running ", maxLiveWorkers.load(),
                   " dynamic workers, its limit (kiln serve --max-dynamic-workers). Let go of "
                   "the stubs of workers no longer in use, so that they can be collected."));
      return;
    }
    try {
      auto created = kj::heap<worker::Worker>(kj::mv(source), kj::mv(options));
      // A cold start is one that had to make its isolate on the spot (the pool was empty).
      metrics::countDynamicLoad(!created->getRuntime().isFromPool());
      worker = kj::mv(created);
      settled = true;
      fulfiller->fulfill();
    } catch (worker::StartupError& e) {
      slot = nullptr;
      fail(e.message, true);
    }
  }

  void fail(kj::StringPtr cause, bool lasting = false) {
    // `lasting`: the code itself failed (its modules threw), so a named worker keeps the
    // failure in its cache, as workerd does; else (a cap, the caller going away) the next get()
    // tries again.
    if (settled)
      return;
    settled = true;
    lastingFailure = lasting;
    auto message = kj::str("Failed to start Worker: ", cause);
    fulfiller->reject(api::userError("Error", message));
    failure = kj::mv(message);
  }

  void failWith(v8::Isolate* isolate, v8::Local<v8::Value> error) {
    // get()'s callback threw, rejected or gave a bad WorkerCode: callers see that error itself
    // (a built-in type and its message, as workerd passes it on), and it stays cached.
    if (settled)
      return;
    settled = true;
    lastingFailure = true;
    kj::StringPtr type = "Error";
    kj::String message;
    if (error->IsNativeError()) {
      auto context = isolate->GetCurrentContext();
      auto object = error.As<v8::Object>();
      auto name = js::toKj(isolate, js::getProperty(context, object, "name"));
      for (kj::StringPtr builtIn: {"TypeError", "RangeError", "SyntaxError", "ReferenceError"}) {
        if (name == builtIn)
          type = builtIn;
      }
      message = js::toKj(isolate, js::getProperty(context, object, "message"));
    } else {
      message = js::describeException(isolate, error);
    }
    fulfiller->reject(api::userError(type, message));
    failure = kj::mv(message);
  }

  bool shouldReload() {
    // For the cache: a named worker killed by a limit, or whose start failed for a reason
    // other than its code, is started afresh by the next get().
    if (failure != nullptr)
      return !lastingFailure;
    KJ_IF_MAYBE (w, worker) {
      return (*w)->getRuntime().isTerminated();
    }
    return false;
  }

 private:
  kj::String name;
  LoaderLimits limits;
  io::IoLimits codeLimits{0, 0};
  kj::Own<kj::PromiseFulfiller<void>> fulfiller;
  kj::ForkedPromise<void> ready;
  bool settled = false;
  bool lastingFailure = false;
  bool named = false;
  kj::Maybe<LiveWorkerSlot> slot;  // Released after `worker` (declared before it).
  kj::Maybe<kj::Own<worker::Worker>> worker;
  kj::Maybe<kj::String> failure;
  kj::String metricsName;
  bool starting = false;
  kj::Promise<void> startTask = nullptr;
  // Last, so that it goes first: a startup suspended mid-evaluation unwinds while everything
  // it reports to is still here.

  friend class LoaderBinding;
};

namespace {

// A stub's capability for one entrypoint of a dynamic worker. Requests wait for the worker to
// finish loading; limits are the tightest of the loader's, the WorkerCode's and getEntrypoint's.
class DynamicEntrypoint final : public api::Capability {
 public:
  DynamicEntrypoint(kj::Own<DynamicWorker> dynamicWorker, kj::Maybe<kj::String> entrypoint,
                    kj::Maybe<kj::String> props, io::IoLimits limits)
      : dynamicWorker(kj::mv(dynamicWorker)),
        entrypoint(kj::mv(entrypoint)),
        props(kj::mv(props)),
        limits(limits) {}

  kj::Promise<api::CallResult> call(kj::String method, api::SerializedValue args) override {
    return onWorker<api::CallResult>([this, method = kj::mv(method), args = kj::mv(args)](
                                         worker::Worker& w, io::IoLimits effective) mutable {
      return w.handleCall(entry(), propsJson(), kj::mv(method), kj::mv(args), effective);
    });
  }

  kj::Promise<kj::String> callJson(kj::String method, kj::String paramsJson) override {
    return onWorker<kj::String>([this, method = kj::mv(method), paramsJson = kj::mv(paramsJson)](
                                    worker::Worker& w, io::IoLimits effective) mutable {
      return w.handleJsonCall(entry(), propsJson(), kj::mv(method), kj::mv(paramsJson), effective);
    });
  }

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    return onWorker<void>(
        [this, method, url, &headers, &requestBody, &response, depth = io::CallerDepth::current()](
            worker::Worker& w, io::IoLimits effective) {
          io::CallerDepth caller(depth);  // The request goes on once the worker has loaded.
          return w.handleFetch(entry(), propsJson(), method, url, headers, requestBody, response,
                               effective);
        });
  }

 private:
  kj::Own<DynamicWorker> dynamicWorker;
  kj::Maybe<kj::String> entrypoint;
  kj::Maybe<kj::String> props;
  io::IoLimits limits;

  kj::Maybe<kj::StringPtr> entry() {
    return entrypoint.map([](auto& s) -> kj::StringPtr { return s; });
  }
  kj::Maybe<kj::StringPtr> propsJson() {
    return props.map([](auto& s) -> kj::StringPtr { return s; });
  }

  // Runs `func` once the worker has started, if it has the entrypoint, with the tightest of the
  // loader's, the WorkerCode's and getEntrypoint()'s limits.
  template <typename T, typename Func>
  kj::Promise<T> onWorker(Func&& func) {
    return dynamicWorker->whenReady().then(
        [this, func = kj::fwd<Func>(func)]() mutable -> kj::Promise<T> {
          auto& w = dynamicWorker->getWorker();
          KJ_IF_MAYBE (name, entrypoint) {
            if (!w.hasEntrypoint(*name)) {
              return api::userError("Error", kj::str("Worker has no such entrypoint: ", *name));
            }
          }
          return func(w, io::IoLimits::tighter(dynamicWorker->getEventLimits(), limits));
        });
  }
};

bool readLimits(v8::Local<v8::Context> context, v8::Local<v8::Value> value, io::IoLimits& out) {
  out = io::IoLimits{0, 0};
  if (!value->IsObject())
    return true;
  auto obj = value.As<v8::Object>();
  auto cpu = js::getProperty(context, obj, "cpuMs");
  auto sub = js::getProperty(context, obj, "subRequests");
  if (cpu->IsNumber())
    out.cpuMs = cpu->Uint32Value(context).FromMaybe(0);
  if (sub->IsNumber())
    out.subrequests = sub->Uint32Value(context).FromMaybe(0);
  return true;
}

kj::Maybe<kj::Array<kj::Own<api::Capability>>> readTails(v8::Local<v8::Context> context,
                                                         v8::Local<v8::Object> desc,
                                                         kj::StringPtr field) {
  auto isolate = context->GetIsolate();
  auto tails = js::getProperty(context, desc, field);
  kj::Vector<kj::Own<api::Capability>> caps;
  if (tails->IsArray()) {
    auto list = tails.As<v8::Array>();
    for (uint32_t i = 0; i < list->Length(); i++) {
      KJ_IF_MAYBE (cap, api::unwrapStub(list->Get(context, i).ToLocalChecked())) {
        caps.add(cap->addRef());
      } else {
        js::throwTypeError(isolate,
                           kj::str("WorkerCode.", field, "[", i, "] must be a service stub."));
        return nullptr;
      }
    }
  }
  return caps.releaseAsArray();
}

// Reads the descriptor loader.js built (already validated there). Null with a pending
// exception if something is still off.
kj::Maybe<WorkerCode> parseDescriptor(v8::Local<v8::Context> context, v8::Local<v8::Value> value) {
  auto isolate = context->GetIsolate();
  if (!value->IsObject()) {
    js::throwTypeError(isolate, "WorkerCode must be an object.");
    return nullptr;
  }
  auto desc = value.As<v8::Object>();
  WorkerCode code;
  code.compatibilityDate = toKj(isolate, js::getProperty(context, desc, "compatibilityDate"));
  code.mainModule = toKj(isolate, js::getProperty(context, desc, "mainModule"));
  auto flags = js::getProperty(context, desc, "compatibilityFlags");
  if (flags->IsArray()) {
    auto list = flags.As<v8::Array>();
    auto builder = kj::heapArrayBuilder<kj::String>(list->Length());
    for (uint32_t i = 0; i < list->Length(); i++) {
      builder.add(toKj(isolate, list->Get(context, i).ToLocalChecked()));
    }
    code.flags = builder.finish();
  }
  auto modules = js::getProperty(context, desc, "modules");
  if (!modules->IsArray()) {
    js::throwTypeError(isolate, "WorkerCode.modules must be an object.");
    return nullptr;
  }
  auto list = modules.As<v8::Array>();
  auto builder = kj::heapArrayBuilder<js::ModuleSource>(list->Length());
  for (uint32_t i = 0; i < list->Length(); i++) {
    auto entry = list->Get(context, i).ToLocalChecked().As<v8::Array>();
    auto name = toKj(isolate, entry->Get(context, 0).ToLocalChecked());
    auto kind = toKj(isolate, entry->Get(context, 1).ToLocalChecked());
    auto content = entry->Get(context, 2).ToLocalChecked();
    using Type = js::ModuleSource::Type;
    Type type = kind == "js"     ? Type::ES
                : kind == "cjs"  ? Type::COMMON_JS
                : kind == "text" ? Type::TEXT
                : kind == "data" ? Type::DATA
                                 : Type::JSON;
    kj::Array<kj::byte> bytes;
    KJ_IF_MAYBE (view, js::viewBytes(content)) {
      bytes = kj::heapArray<kj::byte>(*view);
    } else {
      auto text = toKj(isolate, content);
      bytes = kj::heapArray<kj::byte>(text.asBytes());
    }
    builder.add(js::ModuleSource{kj::mv(name), type, kj::mv(bytes)});
  }
  code.modules = builder.finish();

  auto env = js::getProperty(context, desc, "env");
  if (!env->IsUndefined()) {
    KJ_IF_MAYBE (serialized, js::unwrap<api::SerializedValue>(env, &ENV_TAG)) {
      // One env may start several workers (get() reloads): each gets its own copy.
      auto caps = kj::heapArrayBuilder<kj::Own<api::Capability>>(serialized->caps.size());
      for (auto& cap: serialized->caps)
        caps.add(cap->addRef());
      code.env = api::SerializedValue{kj::heapArray<kj::byte>(serialized->bytes), caps.finish()};
    } else {
      js::throwTypeError(isolate, "WorkerCode.env could not be read.");
      return nullptr;
    }
  }
  auto outbound = js::getProperty(context, desc, "globalOutbound");
  if (outbound->IsNull()) {
    code.inheritOutbound = false;
  } else if (outbound->IsObject()) {
    KJ_IF_MAYBE (cap, api::unwrapStub(outbound)) {
      code.inheritOutbound = false;
      code.outbound = cap->addRef();
    } else {
      js::throwTypeError(isolate, "WorkerCode.globalOutbound must be null or a service stub.");
      return nullptr;
    }
  }
  readLimits(context, js::getProperty(context, desc, "limits"), code.limits);
  KJ_IF_MAYBE (tails, readTails(context, desc, "tails")) {
    code.tails = kj::mv(*tails);
  } else {
    return nullptr;
  }
  KJ_IF_MAYBE (tails, readTails(context, desc, "streamingTails")) {
    code.streamingTails = kj::mv(*tails);
  } else {
    return nullptr;
  }
  return kj::mv(code);
}

}  // namespace

class LoaderBinding {
 public:
  LoaderBinding(ParentInfo parent, kj::Maybe<LoaderCache&> shared, const LoaderLimits& limits)
      : parent(kj::mv(parent)), limits(limits) {
    KJ_IF_MAYBE (s, shared) {
      cache = s;
    } else {
      ownCache = kj::heap<LoaderCache>(limits);
      cache = ownCache.get();
    }
  }

  v8::Local<v8::Value> newHandle(v8::Local<v8::Context> context, kj::Own<DynamicWorker> dw) {
    static const js::WrapRegistry::Method METHODS[] = {
        {"getEntrypoint", &getEntrypoint},
        {"getDurableObjectClass", &getDurableObjectClass},
    };
    auto footprint = dw->footprint();
    return js::wrapWithMethods(context, kj::mv(dw), &DYNAMIC_TAG, METHODS, footprint);
  }

  static void reclaimIfFull(v8::Isolate* isolate) {
    if (liveWorkers.load() >= maxLiveWorkers.load()) {
      // At the cap, workers this parent no longer references may still be waiting for its
      // garbage collector: a full collection now lets their isolates go before the new one
      // starts (on the next turn), rather than failing it for garbage.
      isolate->LowMemoryNotification();
    }
  }

  kj::Own<DynamicWorker> newDynamicWorker(kj::StringPtr id) {
    auto name =
        id.size() > 0 ? kj::str(parent.name, "/", id) : kj::str(parent.name, "/load#", ++loadCount);
    return kj::refcounted<DynamicWorker>(kj::mv(name), cache->getLimits());
  }

  void startSoon(DynamicWorker& dw, WorkerCode code) {
    // On the next turn of the event loop, outside the caller's JavaScript, on a stack of its
    // own (io/timeslice.h): a long module evaluation is suspended between slices like an event.
    // The task belongs to `dw` and uses nothing of this binding, which may be collected first.
    auto& timer = parent.timer;
    dw.starting = true;
    dw.startTask =
        kj::evalLater([&dw, &timer, parent = parent.share(), code = kj::mv(code)]() mutable {
          return io::slices::run(timer,
                                 [&dw, parent = kj::mv(parent), code = kj::mv(code)]() mutable {
                                   dw.start(kj::mv(code), parent);
                                 });
        }).eagerlyEvaluate([&dw](kj::Exception&& e) {
          dw.fail("internal error");
          KJ_LOG(ERROR, "dynamic worker start failed", e);
        });
  }

  kj::Maybe<kj::Own<DynamicWorker>> findNamed(kj::StringPtr id) { return cache->find(id); }
  kj::Own<DynamicWorker> addNamed(kj::StringPtr id) {
    auto dw = newDynamicWorker(id);
    dw->setNamed();
    cache->insert(id, kj::addRef(*dw));
    return dw;
  }

  static LoaderBinding& from(const v8::FunctionCallbackInfo<v8::Value>& info) {
    return js::unwrapUnchecked<LoaderBinding>(info.Data().As<v8::Object>());
  }

  static void load(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto isolate = info.GetIsolate();
    auto context = isolate->GetCurrentContext();
    auto& self = from(info);
    KJ_IF_MAYBE (code, parseDescriptor(context, info[0])) {
      reclaimIfFull(isolate);
      auto dw = self.newDynamicWorker("");
      self.startSoon(*dw, kj::mv(*code));
      info.GetReturnValue().Set(self.newHandle(context, kj::mv(dw)));
    }
  }

  static void get(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto isolate = info.GetIsolate();
    auto context = isolate->GetCurrentContext();
    auto& self = from(info);
    // A null id (as in workerd) asks for an anonymous worker: never cached, like load().
    bool anonymous = info[0]->IsNull();
    auto id = anonymous ? kj::str() : toKj(isolate, info[0]);
    if (!anonymous) {
      KJ_IF_MAYBE (existing, self.cache->find(id)) {
        info.GetReturnValue().Set(self.newHandle(context, kj::mv(*existing)));
        return;
      }
    }
    auto& runtime = io::Runtime::from(context);
    io::IoContext* ioContext;
    KJ_IF_MAYBE (c, runtime.currentIoContext()) {
      ioContext = c;
    } else {
      api::disallowedOutsideRequest(isolate);
      return;
    }
    reclaimIfFull(isolate);
    auto dw = anonymous ? self.newDynamicWorker("") : self.addNamed(id);
    auto& ref = *dw;

    // The callback runs in the parent, now; its result is checked there once it settles.
    v8::Local<v8::Value> produced;
    v8::TryCatch tryCatch(isolate);
    if (!info[1]
             .As<v8::Function>()
             ->Call(context, v8::Undefined(isolate), 0, nullptr)
             .ToLocal(&produced)) {
      if (!tryCatch.CanContinue()) {
        tryCatch.ReThrow();
        return;
      }
      ref.failWith(isolate, tryCatch.Exception());
    } else {
      auto keep = kj::addRef(ref);
      auto task =
          runtime.awaitJs(context, produced)
              .then([&runtime, ioContext, &self, &ref](io::Settled&& settled) -> kj::Promise<void> {
                if (runtime.isTerminated()) {
                  ref.fail("the worker that called get() was terminated");
                  return kj::READY_NOW;
                }
                // The descriptor's getters are the parent's code: a stack of its own.
                return runtime.runSliced(*ioContext, [&self, &ref, settled = kj::mv(settled)](
                                                         v8::Local<v8::Context> context) {
                  auto isolate = context->GetIsolate();
                  auto value = settled.get(isolate);
                  if (settled.rejected) {
                    ref.failWith(isolate, value);
                    return;
                  }
                  v8::TryCatch tryCatch(isolate);
                  KJ_IF_MAYBE (code, parseDescriptor(context, value)) {
                    // Not here, inside the parent's JavaScript: on a stack of its own.
                    self.startSoon(ref, kj::mv(*code));
                  } else if (tryCatch.HasCaught() && tryCatch.CanContinue()) {
                    ref.failWith(isolate, tryCatch.Exception());
                  } else {
                    ref.fail("the WorkerCode could not be read");
                  }
                });
              })
              .attach(kj::defer([keep = kj::mv(keep)]() mutable {
                // If the parent's request ends first, the callback's result is lost.
                if (!keep->starting)
                  keep->fail(
                      "the request that called get() ended before the callback "
                      "returned");
              }));
      ioContext->addTask(kj::mv(task));
    }
    info.GetReturnValue().Set(self.newHandle(context, kj::mv(dw)));
  }

  static void serializeEnv(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto context = info.GetIsolate()->GetCurrentContext();
    auto& self = from(info);
    KJ_IF_MAYBE (value, api::serialize(context, info[0], self.limits.maxEnvBytes)) {
      info.GetReturnValue().Set(
          js::wrap(context, kj::heap<api::SerializedValue>(kj::mv(*value)), &ENV_TAG));
    }
  }

  static void getDurableObjectClass(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto isolate = info.GetIsolate();
    auto context = isolate->GetCurrentContext();
    KJ_IF_MAYBE (dw, js::unwrapThis<DynamicWorker>(info, &DYNAMIC_TAG)) {
      auto handle = kj::heap<ClassHandle>(
          ClassHandle{kj::Own<WorkerHandle>(kj::addRef(*dw)), toKj(isolate, info[0])});
      info.GetReturnValue().Set(js::wrap(context, kj::mv(handle), &CLASS_TAG));
    } else {
      js::throwTypeError(isolate, "Illegal invocation");
    }
  }

  static void getEntrypoint(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto isolate = info.GetIsolate();
    auto context = isolate->GetCurrentContext();
    DynamicWorker* dwPtr;
    KJ_IF_MAYBE (d, js::unwrapThis<DynamicWorker>(info, &DYNAMIC_TAG)) {
      dwPtr = d;
    } else {
      js::throwTypeError(isolate, "Illegal invocation");
      return;
    }
    auto& dw = *dwPtr;
    kj::Maybe<kj::String> name;
    if (info[0]->IsString())
      name = toKj(isolate, info[0]);
    kj::Maybe<kj::String> props;
    if (info[1]->IsString())
      props = toKj(isolate, info[1]);
    io::IoLimits limits;
    readLimits(context, info[2], limits);
    auto cap =
        kj::refcounted<DynamicEntrypoint>(kj::addRef(dw), kj::mv(name), kj::mv(props), limits);
    info.GetReturnValue().Set(api::JsApi::from(context).newStub(
        context, kj::mv(cap), api::JsApi::StubKind::PLAIN, dw.footprint()));
  }

 private:
  ParentInfo parent;
  LoaderLimits limits;
  kj::Own<LoaderCache> ownCache;
  LoaderCache* cache;
  uint64_t loadCount = 0;
};

kj::Maybe<DurableObjectClassRef> unwrapDurableObjectClass(v8::Local<v8::Value> value) {
  KJ_IF_MAYBE (handle, js::unwrap<ClassHandle>(value, &CLASS_TAG)) {
    return DurableObjectClassRef{kj::addRef(*handle->worker), handle->className};
  }
  return nullptr;
}

LoaderCache::~LoaderCache() noexcept(false) {}

kj::Maybe<kj::Own<DynamicWorker>> LoaderCache::find(kj::StringPtr id) {
  KJ_IF_MAYBE (entry, entries.find(id)) {
    if ((*entry)->worker->shouldReload()) {
      // Killed by a limit, or not started for a reason other than its code: the next get()
      // loads it afresh.
      entries.erase(id);
      return nullptr;
    }
    (*entry)->lastUsed = ++clock;
    return kj::addRef(*(*entry)->worker);
  }
  return nullptr;
}

void LoaderCache::insert(kj::StringPtr id, kj::Own<DynamicWorker> worker) {
  auto entry = kj::heap<Entry>(Entry{kj::str(id), kj::mv(worker), ++clock});
  kj::StringPtr key = entry->id;
  entries.upsert(key, kj::mv(entry), [](kj::Own<Entry>& existing, kj::Own<Entry>&& replacement) {
    existing = kj::mv(replacement);
  });
  evictIfNeeded();
}

void LoaderCache::evictIfNeeded() {
  auto overBudget = [&]() {
    if (entries.size() > limits.maxWarmWorkers)
      return true;
    size_t total = 0;
    for (auto& entry: entries)
      total += entry.value->worker->memoryUsage();
    return total > limits.warmMemoryBytes;
  };
  while (entries.size() > 1 && overBudget()) {
    // Least recently used first. Stubs already handed out keep their worker alive until
    // dropped; eviction only forgets it, so a later get() starts a fresh one.
    kj::StringPtr oldest;
    uint64_t oldestUse = UINT64_MAX;
    for (auto& entry: entries) {
      if (entry.value->lastUsed < oldestUse) {
        oldestUse = entry.value->lastUsed;
        oldest = entry.key;
      }
    }
    entries.erase(oldest);
    metrics::countEviction();
  }
}

LoaderCache& LoaderRegistry::getShared(kj::StringPtr id, const LoaderLimits& limits) {
  KJ_IF_MAYBE (cache, shared.find(id)) {
    return **cache;
  }
  auto cache = kj::heap<LoaderCache>(limits);
  auto& ref = *cache;
  shared.insert(kj::str(id), kj::mv(cache));
  return ref;
}

namespace {

constexpr size_t MAX_CODE_BYTES = 64u << 20;  // As loader.js checks for JavaScript callers.

class OutsideLoaderImpl final : public OutsideLoader {
 public:
  OutsideLoaderImpl(ParentInfo parent, kj::Maybe<LoaderCache&> shared, const LoaderLimits& limits)
      : limits(limits), binding(kj::mv(parent), shared, limits) {}

  kj::Own<WorkerHandle> load(CodeFromOutside code) override {
    auto workerCode = convert(kj::mv(code));
    auto dw = binding.newDynamicWorker("");
    binding.startSoon(*dw, kj::mv(workerCode));
    return kj::mv(dw);
  }

  kj::Own<WorkerHandle> get(kj::StringPtr id, CodeFromOutside code) override {
    if (id.size() == 0) {
      kj::throwFatalException(api::userError("TypeError", "get() needs a non-empty id."));
    }
    KJ_IF_MAYBE (existing, binding.findNamed(id)) {
      return kj::mv(*existing);
    }
    auto workerCode = convert(kj::mv(code));
    auto dw = binding.addNamed(id);
    binding.startSoon(*dw, kj::mv(workerCode));
    return kj::mv(dw);
  }

  kj::Own<api::Capability> getEntrypoint(WorkerHandle& handle, kj::Maybe<kj::StringPtr> name,
                                         kj::Maybe<kj::StringPtr> propsJson) override {
    auto& dw = kj::downcast<DynamicWorker>(handle);
    return kj::refcounted<DynamicEntrypoint>(
        kj::addRef(dw), name.map([](kj::StringPtr s) { return kj::str(s); }),
        propsJson.map([](kj::StringPtr s) { return kj::str(s); }), io::IoLimits{0, 0});
  }

 private:
  LoaderLimits limits;
  LoaderBinding binding;

  WorkerCode convert(CodeFromOutside code) {
    // Malformed code fails the call at once; code that merely does not run fails the worker's
    // start, as it does for JavaScript callers.
    auto fail = [](kj::StringPtr type, kj::String message) {
      kj::throwFatalException(api::userError(type, message));
    };
    if (code.compatibilityDate.size() == 0)
      fail("TypeError", kj::str("WorkerCode.compatibilityDate is required."));
    if (code.mainModule.size() == 0)
      fail("TypeError", kj::str("WorkerCode.mainModule is required."));
    if (code.modules.size() == 0)
      fail("TypeError", kj::str("WorkerCode.modules must name at least one module."));
    size_t total = 0;
    bool hasMain = false;
    for (auto& module: code.modules) {
      total += module.content.size();
      hasMain = hasMain || module.name == code.mainModule;
    }
    if (!hasMain) {
      fail("TypeError", kj::str("WorkerCode.mainModule \"", code.mainModule,
                                "\" is not one of WorkerCode.modules."));
    }
    if (total > MAX_CODE_BYTES) {
      fail("RangeError", kj::str("WorkerCode.modules add up to ", total,
                                 " bytes, over kiln's limit of ", MAX_CODE_BYTES, " (64 MiB)."));
    }
    KJ_IF_MAYBE (env, code.envJson) {
      if (env->size() > limits.maxEnvBytes) {
        fail("RangeError",
             kj::str("WorkerCode.envJson is ", env->size(), " bytes, over this loader's limit of ",
                     limits.maxEnvBytes, " bytes."));
      }
    }
    WorkerCode result;
    result.compatibilityDate = kj::mv(code.compatibilityDate);
    result.flags = kj::mv(code.flags);
    result.mainModule = kj::mv(code.mainModule);
    result.modules = kj::mv(code.modules);
    result.envJson = kj::mv(code.envJson);
    result.inheritOutbound = code.allowOutbound;
    result.limits = code.limits;
    return result;
  }
};

}  // namespace

kj::Own<OutsideLoader> newOutsideLoader(worker::Worker& granter, kj::Maybe<LoaderCache&> shared,
                                        const LoaderLimits& limits) {
  kj::Maybe<kj::Own<api::Capability>> outbound;
  KJ_IF_MAYBE (cap, granter.getGlobalOutboundCapability()) {
    outbound = cap->addRef();
  }
  return kj::heap<OutsideLoaderImpl>(
      ParentInfo{kj::str(granter.getName(), "/capnp"), granter.getTimer(), granter.getHeaderTable(),
                 kj::mv(outbound)},
      shared, limits);
}

worker::Binding newLoaderBinding(kj::StringPtr name, kj::Maybe<LoaderCache&> sharedCache,
                                 const LoaderLimits& limits) {
  worker::Binding binding;
  binding.name = kj::str(name);
  binding.type = worker::Binding::Type::FACTORY;
  binding.factory = [sharedCache, limits](v8::Local<v8::Context> context,
                                          worker::Worker& parent) mutable -> v8::Local<v8::Value> {
    kj::Maybe<kj::Own<api::Capability>> outbound;
    KJ_IF_MAYBE (cap, parent.getGlobalOutboundCapability()) {
      outbound = cap->addRef();
    }
    auto binding = kj::heap<LoaderBinding>(ParentInfo{kj::str(parent.getName()), parent.getTimer(),
                                                      parent.getHeaderTable(), kj::mv(outbound)},
                                           sharedCache, limits);
    auto wrapped = js::wrap(context, kj::mv(binding), &LOADER_TAG);
    auto handle = v8::Object::New(context->GetIsolate());
    api::setFunction(context, handle, "load", &LoaderBinding::load, wrapped);
    api::setFunction(context, handle, "get", &LoaderBinding::get, wrapped);
    api::setFunction(context, handle, "serializeEnv", &LoaderBinding::serializeEnv, wrapped);
    v8::Local<v8::Value> args[] = {handle};
    v8::Local<v8::Value> loader;
    KJ_ASSERT(parent.getApi().callInternal(context, "makeWorkerLoader", args).ToLocal(&loader));
    return loader;
  };
  return binding;
}

void setMaxLiveWorkers(uint32_t max) {
  maxLiveWorkers = max;
}

uint32_t liveWorkerCount() {
  return liveWorkers.load();
}

}  // namespace kiln::loader
