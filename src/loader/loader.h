// The Worker Loader ("Dynamic Workers"): `env.LOADER.load(code)` and `get(id, cb)` start fresh,
// sandboxed workers from code strings at run time. Each dynamic worker is a worker::Worker in an
// isolate of its own, with only the capabilities its parent passed in `env` and `globalOutbound`.
#pragma once

#include "src/worker/worker.h"

#include <kj/list.h>
#include <kj/map.h>

namespace kiln::loader {

struct LoaderLimits {
  // Defaults for every dynamic worker of one loader binding; see the binding's config fields.
  size_t heapLimitBytes = 128u << 20;
  io::IoLimits eventLimits = {1000, 30000};
  size_t maxEnvBytes = 1u << 20;
  uint32_t maxWarmWorkers = 100;
  size_t warmMemoryBytes = 512u << 20;
};

class DynamicWorker;

constexpr uint32_t DEFAULT_MAX_LIVE_WORKERS = 2000;
void setMaxLiveWorkers(uint32_t max);
// The most dynamic workers (each an isolate) alive at once in the process, over all threads and
// loaders (`kiln serve --max-dynamic-workers`). An idle isolate costs about 1.9 MB and 15
// memory mappings; past about 4,300 the kernel's map limit (vm.max_map_count, 65530) is reached
// and V8 aborts the process, so starts beyond the cap fail with an Error instead.
uint32_t liveWorkerCount();

class WorkerHandle : public kj::Refcounted {
  // A dynamic worker as other layers see it (Durable Object facets run its classes).
 public:
  virtual kj::Promise<void> whenReady() = 0;
  // Rejects with "Failed to start Worker: ..." if it could not start.
  virtual worker::Worker& getWorker() = 0;  // Only once ready.
  virtual bool isBroken() = 0;
};

struct DurableObjectClassRef {
  kj::Own<WorkerHandle> worker;
  kj::StringPtr className;
};

kj::Maybe<DurableObjectClassRef> unwrapDurableObjectClass(v8::Local<v8::Value> value);
// What `workerStub.getDurableObjectClass(name)` returned; null for anything else.

class LoaderCache {
  // The named workers of one loader id on one thread, evicted least-recently-used first when
  // over the count or memory budget. A later get() of an evicted id simply loads it again.
 public:
  explicit LoaderCache(LoaderLimits limits) : limits(limits) {}
  ~LoaderCache() noexcept(false);
  KJ_DISALLOW_COPY(LoaderCache);

  const LoaderLimits& getLimits() const { return limits; }
  kj::Maybe<kj::Own<DynamicWorker>> find(kj::StringPtr id);
  void insert(kj::StringPtr id, kj::Own<DynamicWorker> worker);
  void evictIfNeeded();
  size_t size() const { return entries.size(); }

 private:
  struct Entry {
    kj::String id;
    kj::Own<DynamicWorker> worker;
    uint64_t lastUsed;
  };
  LoaderLimits limits;
  uint64_t clock = 0;
  kj::HashMap<kj::StringPtr, kj::Own<Entry>> entries;
};

class LoaderRegistry {
  // Per event-loop thread: loader bindings naming the same id share one cache.
 public:
  LoaderCache& getShared(kj::StringPtr id, const LoaderLimits& limits);

 private:
  kj::HashMap<kj::String, kj::Own<LoaderCache>> shared;
};

struct CodeFromOutside {
  // WorkerCode as a caller outside any isolate gives it (a `capnp` socket's peer).
  kj::String compatibilityDate;
  kj::Array<kj::String> flags;
  kj::String mainModule;
  kj::Array<js::ModuleSource> modules;
  kj::Maybe<kj::String> envJson;  // A JSON object.
  bool allowOutbound = false;     // Else no network at all.
  io::IoLimits limits{0, 0};
};

class OutsideLoader {
  // A Worker Loader for callers outside the daemon, granted by config: it uses the cache (when
  // shared by id) and limits of one worker's loader binding, and that worker's globalOutbound.
 public:
  virtual ~OutsideLoader() noexcept(false) = default;
  virtual kj::Own<WorkerHandle> load(CodeFromOutside code) = 0;
  virtual kj::Own<WorkerHandle> get(kj::StringPtr id, CodeFromOutside code) = 0;
  virtual kj::Own<api::Capability> getEntrypoint(WorkerHandle& worker,
                                                 kj::Maybe<kj::StringPtr> name,
                                                 kj::Maybe<kj::StringPtr> propsJson) = 0;
  // Calls (callJson) and fetches wait for the worker to start.
};

kj::Own<OutsideLoader> newOutsideLoader(worker::Worker& granter, kj::Maybe<LoaderCache&> shared,
                                        const LoaderLimits& limits);

worker::Binding newLoaderBinding(kj::StringPtr name, kj::Maybe<LoaderCache&> sharedCache,
                                 const LoaderLimits& limits);
// A binding whose value is a WorkerLoader. Without a shared cache the binding gets a private
// one of its own.

}  // namespace kiln::loader
