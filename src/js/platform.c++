#include "src/js/platform.h"

#include <libplatform/libplatform.h>
#include <kj/debug.h>
#include <mutex>
#include <sys/time.h>

namespace kiln::js {
namespace {

thread_local double threadFrozenNow = 0;
thread_local kj::TimePoint threadFrozenMono = kj::origin<kj::TimePoint>();

double realNowMillis() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
}

// Delegates to V8's default platform except for the wall clock, which `Date` reads through
// `CurrentClockTimeMillis()`.
class KilnPlatform final : public v8::Platform {
 public:
  explicit KilnPlatform(std::unique_ptr<v8::Platform> inner) : inner(std::move(inner)) {}

  v8::PageAllocator* GetPageAllocator() override { return inner->GetPageAllocator(); }
  void OnCriticalMemoryPressure() override { inner->OnCriticalMemoryPressure(); }
  bool OnCriticalMemoryPressure(size_t length) override {
    return inner->OnCriticalMemoryPressure(length);
  }
  int NumberOfWorkerThreads() override { return inner->NumberOfWorkerThreads(); }
  std::shared_ptr<v8::TaskRunner> GetForegroundTaskRunner(v8::Isolate* isolate) override {
    return inner->GetForegroundTaskRunner(isolate);
  }
  void CallOnWorkerThread(std::unique_ptr<v8::Task> task) override {
    inner->CallOnWorkerThread(std::move(task));
  }
  void CallBlockingTaskOnWorkerThread(std::unique_ptr<v8::Task> task) override {
    inner->CallBlockingTaskOnWorkerThread(std::move(task));
  }
  void CallLowPriorityTaskOnWorkerThread(std::unique_ptr<v8::Task> task) override {
    inner->CallLowPriorityTaskOnWorkerThread(std::move(task));
  }
  void CallDelayedOnWorkerThread(std::unique_ptr<v8::Task> task, double delay) override {
    inner->CallDelayedOnWorkerThread(std::move(task), delay);
  }
  bool IdleTasksEnabled(v8::Isolate* isolate) override { return inner->IdleTasksEnabled(isolate); }
  std::unique_ptr<v8::JobHandle> PostJob(v8::TaskPriority priority,
                                         std::unique_ptr<v8::JobTask> job) override {
    return inner->PostJob(priority, std::move(job));
  }
  double MonotonicallyIncreasingTime() override { return inner->MonotonicallyIncreasingTime(); }
  double CurrentClockTimeMillis() override {
    if (threadFrozenNow == 0)
      threadFrozenNow = realNowMillis();
    return threadFrozenNow;
  }
  v8::TracingController* GetTracingController() override { return inner->GetTracingController(); }
  v8::Platform* innerPlatform() { return inner.get(); }

 private:
  std::unique_ptr<v8::Platform> inner;
};

KilnPlatform* thePlatform = nullptr;
std::once_flag initOnce;

}  // namespace

void initializeV8(kj::ArrayPtr<const kj::String> v8Flags) {
  std::call_once(initOnce, [&]() {
    // Each new worker context comes from kiln's own snapshot, made in this process: checking
    // its checksum on every isolate would only cost time.
    v8::V8::SetFlagsFromString("--no-verify-snapshot-checksum");
    for (auto& flag: v8Flags) {
      v8::V8::SetFlagsFromString(flag.cStr(), flag.size());
    }
    // Worker threads for GC and compilation; kiln's own event loops use the remaining cores.
    thePlatform = new KilnPlatform(
        v8::platform::NewDefaultPlatform(0, v8::platform::IdleTaskSupport::kDisabled,
                                         v8::platform::InProcessStackDumping::kDisabled));
    v8::V8::InitializePlatform(thePlatform);
    KJ_ASSERT(v8::V8::Initialize());
  });
}

v8::Platform& getPlatform() {
  KJ_ASSERT(thePlatform != nullptr, "initializeV8() not called");
  return *thePlatform;
}

double frozenNowMillis() {
  if (threadFrozenNow == 0)
    threadFrozenNow = realNowMillis();
  return threadFrozenNow;
}

void advanceClock() {
  threadFrozenNow = realNowMillis();
  threadFrozenMono = kj::systemPreciseMonotonicClock().now();
}

kj::TimePoint frozenMonotonic() {
  if (threadFrozenNow == 0)
    advanceClock();
  return threadFrozenMono;
}

void pumpMessageLoop(v8::Isolate* isolate) {
  while (v8::platform::PumpMessageLoop(thePlatform->innerPlatform(), isolate)) {
  }
}

}  // namespace kiln::js
