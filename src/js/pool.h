// Isolates prepared ahead of demand. Creating an isolate and its context from the startup
// snapshot costs a few milliseconds, most of a dynamic worker's cold start; a background thread
// keeps a few ready so that load() only has to evaluate the worker's own modules.
//
// Isolates move between threads, so every entry into any kiln isolate holds a v8::Locker.
#pragma once

#include "src/js/isolate.h"

#include <kj/memory.h>

namespace kiln::js {

struct PreparedIsolate {
  kj::Own<Isolate> isolate;
  v8::Global<v8::Context> context;
};

kj::Maybe<PreparedIsolate> takePreparedIsolate(const IsolateLimits& limits);
// A ready isolate made with these limits, if one is waiting; starts (or wakes) the background
// thread that keeps POOL_SIZE of them per distinct limits. Null when none is ready yet.

constexpr size_t POOL_SIZE = 8;

}  // namespace kiln::js
