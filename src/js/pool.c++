#include "src/js/pool.h"
#include "src/js/stack.h"

#include <kj/debug.h>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace kiln::js {
namespace {

class Pool {
 public:
  explicit Pool(const IsolateLimits& limits) : limits(limits) {
    std::thread([this]() { run(); }).detach();
  }

  kj::Maybe<PreparedIsolate> take() {
    std::unique_lock<std::mutex> lock(mutex);
    if (ready.empty()) {
      wanted.notify_one();
      return nullptr;
    }
    auto result = kj::mv(ready.front());
    ready.pop_front();
    wanted.notify_one();
    return kj::mv(result);
  }

 private:
  IsolateLimits limits;
  std::mutex mutex;
  std::condition_variable wanted;
  std::deque<PreparedIsolate> ready;

  void run() {
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        wanted.wait(lock, [this]() { return ready.size() < POOL_SIZE; });
      }
      auto isolate = kj::heap<Isolate>(limits);
      v8::Global<v8::Context> context;
      {
        js::Lock lock(isolate->get());
        v8::HandleScope handles(isolate->get());
        context.Reset(isolate->get(), isolate->newContext());
      }
      std::unique_lock<std::mutex> lock(mutex);
      ready.push_back(PreparedIsolate{kj::mv(isolate), kj::mv(context)});
    }
  }
};

std::mutex poolsMutex;
// Pools live for the whole process, like the snapshot they are made from.
std::map<std::pair<size_t, const void*>, Pool*>* pools = nullptr;

}  // namespace

kj::Maybe<PreparedIsolate> takePreparedIsolate(const IsolateLimits& limits) {
  Pool* pool;
  {
    std::lock_guard<std::mutex> lock(poolsMutex);
    if (pools == nullptr)
      pools = new std::map<std::pair<size_t, const void*>, Pool*>();
    auto key = std::make_pair(limits.heapLimitBytes, static_cast<const void*>(limits.snapshot));
    auto it = pools->find(key);
    if (it == pools->end()) {
      pool = new Pool(limits);
      pools->emplace(key, pool);
    } else {
      pool = it->second;
    }
  }
  return pool->take();
}

}  // namespace kiln::js
