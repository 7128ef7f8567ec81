#include "src/js/isolate.h"

#include "src/js/allocator.h"
#include "src/js/platform.h"
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
}

Isolate::~Isolate() noexcept(false) {
  {
    // Wrapped C++ objects hold V8 handles; release them before the heap goes away.
    v8::Locker locker(isolate);
    v8::Isolate::Scope scope(isolate);
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

void Isolate::terminate() {
  isolate->TerminateExecution();
}

size_t Isolate::nearHeapLimit(void* data, size_t current, size_t initial) {
  // Give V8 headroom to unwind after termination instead of aborting the whole process; the
  // isolate is discarded by its owner once it sees exceededMemory().
  auto self = static_cast<Isolate*>(data);
  self->outOfMemory = true;
  self->isolate->TerminateExecution();
  return current + kj::max(current / 2, size_t(32) << 20);
}

}  // namespace kiln::js
