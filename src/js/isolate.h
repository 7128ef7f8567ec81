// One V8 isolate with kiln's per-isolate limits. Configured and dynamic workers both own one.
#pragma once

#include "src/js/wrap.h"

#include <v8.h>
#include <kj/memory.h>
#include <atomic>
#include <memory>

namespace kiln::js {

struct IsolateLimits {
  size_t heapLimitBytes = 128u << 20;
  // V8 heap cap. Crossing it terminates the isolate's JavaScript; the process goes on.

  const v8::StartupData* snapshot = nullptr;
  const intptr_t* externalReferences = nullptr;
  // A startup snapshot whose default context new contexts start from (see src/api/snapshot.h).

  bool usePool = false;
  // Take an isolate prepared ahead of time (src/js/pool.h) when one is ready.
};

class Isolate {
 public:
  explicit Isolate(const IsolateLimits& limits = {});
  ~Isolate() noexcept(false);
  KJ_DISALLOW_COPY(Isolate);

  v8::Isolate* get() const { return isolate; }
  v8::Isolate* operator->() const { return isolate; }

  v8::Local<v8::Context> newContext();
  // A context where strings cannot be compiled as code (eval and new Function throw EvalError).

  void terminate();
  // Stops running JavaScript as soon as possible. Safe from any thread (CPU watchdog).

  bool exceededMemory() const { return outOfMemory; }
  WrapRegistry& getWrapRegistry() { return wraps; }
  size_t externalMemory() const;
  // Bytes of ArrayBuffer memory currently allocated by this isolate, and of kiln's own
  // bookkeeping for it (NativeCharge).

  bool chargeNative(size_t bytes);
  void releaseNative(size_t bytes);
  // Counts native memory kept on the isolate's behalf (a pending timer's promises and handles)
  // against the same budget as its ArrayBuffers. A charge past the budget fails and the isolate
  // is stopped as out of memory: what it holds is not JavaScript's to free by catching an error.
  bool isFromSnapshot() const { return fromSnapshot; }

 private:
  static size_t nearHeapLimit(void* data, size_t current, size_t initial);

  std::unique_ptr<v8::ArrayBuffer::Allocator> allocator;
  v8::Isolate* isolate;
  WrapRegistry wraps;
  std::atomic<bool> outOfMemory{false};
  uint32_t heapLimitRaises = 0;
  bool fromSnapshot;
};

class NativeCharge {
  // Some bytes charged to an isolate (Isolate::chargeNative) for as long as this lives. It must
  // not outlive the isolate: holders are cleared before the isolate goes (timers are).
 public:
  NativeCharge() = default;
  NativeCharge(Isolate& isolate, size_t bytes);
  NativeCharge(NativeCharge&& other) noexcept : isolate(other.isolate), bytes(other.bytes) {
    other.isolate = nullptr;
  }
  NativeCharge& operator=(NativeCharge&& other) noexcept;
  ~NativeCharge();
  NativeCharge(const NativeCharge&) = delete;

  explicit operator bool() const { return isolate != nullptr; }
  // False when the charge did not fit the budget.

 private:
  Isolate* isolate = nullptr;
  size_t bytes = 0;
};

}  // namespace kiln::js

namespace kiln::js {
// Embedder data slots of a context (slot 0 is V8's).
enum ContextSlot : int { SLOT_MODULE_REGISTRY = 1, SLOT_RUNTIME = 2 };
}  // namespace kiln::js
