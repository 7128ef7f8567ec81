#include "src/js/isolate.h"

#include "src/js/allocator.h"
#include "src/js/platform.h"
#include "src/js/stack.h"
#include "src/util/metrics.h"

#include <kj/debug.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace kiln::js {

Isolate::Isolate(const IsolateLimits& limits)
    : allocator(newLimitedAllocator(limits.heapLimitBytes)) {
  initializeV8();
  v8::Isolate::CreateParams params;
  params.array_buffer_allocator = allocator.get();
  // Only the old generation is capped: V8 sizes the young generation itself, and a larger one
  // (as ConfigureDefaultsFromHeapSize picks) makes every new isolate map more memory up front.
  params.constraints.set_max_old_generation_size_in_bytes(limits.heapLimitBytes);
  fromSnapshot = limits.snapshot != nullptr;
  if (fromSnapshot) {
    params.snapshot_blob = const_cast<v8::StartupData*>(limits.snapshot);
    params.external_references = limits.externalReferences;
  }
  isolate = v8::Isolate::New(params);
  isolate->SetData(0, this);
  metrics::isolateCreated();
  isolate->SetMicrotasksPolicy(v8::MicrotasksPolicy::kExplicit);
  isolate->AddNearHeapLimitCallback(&nearHeapLimit, this);
  // Atomics.wait blocks the thread, and with it every tenant on the event loop, beyond the
  // reach of the CPU watchdog: refused, as on a browser's main thread (it throws a TypeError).
  isolate->SetAllowAtomicsWait(false);
  // Code from bytes is code generation, which Workers refuses like eval: WebAssembly.compile,
  // instantiate and new WebAssembly.Module fail with a CompileError at once.
  isolate->SetAllowWasmCodeGenerationCallback(
      [](v8::Local<v8::Context>, v8::Local<v8::String>) { return false; });
}

Isolate::~Isolate() noexcept(false) {
  {
    // Wrapped C++ objects hold V8 handles; release them before the heap goes away.
    js::Lock lock(isolate);
    wraps.destroyAll();
  }
  isolate->Dispose();
  metrics::isolateDestroyed();
}

size_t Isolate::externalMemory() const {
  return limitedAllocatorUsed(*allocator);
}

v8::Local<v8::Context> Isolate::newContext() {
  auto context = v8::Context::New(isolate);
  context->AllowCodeGenerationFromStrings(false);
  return context;
}

bool Isolate::chargeNative(size_t bytes) {
  if (limitedAllocatorCharge(*allocator, bytes))
    return true;
  outOfMemory = true;
  isolate->TerminateExecution();
  return false;
}

void Isolate::releaseNative(size_t bytes) {
  limitedAllocatorRelease(*allocator, bytes);
}

NativeCharge::NativeCharge(Isolate& isolate, size_t bytes) : bytes(bytes) {
  if (isolate.chargeNative(bytes))
    this->isolate = &isolate;
}

NativeCharge& NativeCharge::operator=(NativeCharge&& other) noexcept {
  if (this != &other) {
    if (isolate != nullptr)
      isolate->releaseNative(bytes);
    isolate = other.isolate;
    bytes = other.bytes;
    other.isolate = nullptr;
  }
  return *this;
}

NativeCharge::~NativeCharge() {
  if (isolate != nullptr)
    isolate->releaseNative(bytes);
}

void Isolate::terminate() {
  isolate->TerminateExecution();
}

size_t Isolate::nearHeapLimit(void* data, size_t current, size_t initial) {
  // V8 calls this when the heap is about to exceed its cap. Returning the same limit would make
  // V8 abort the whole process, so the isolate is terminated and given headroom to unwind; its
  // owner discards it once it sees exceededMemory(). The headroom must fit the allocation that
  // is under way, which can be as large as V8's largest object (a string or array backing store
  // of about 1 GiB): anything less turns `"x".repeat(2 ** 29)` into a crash of the daemon.
  // The memory is held only until the termination unwinds and the isolate is disposed.
  auto self = static_cast<Isolate*>(data);
  self->outOfMemory = true;
  self->isolate->TerminateExecution();
  ++self->heapLimitRaises;
  return current + (size_t(1100) << 20);
}

}  // namespace kiln::js
