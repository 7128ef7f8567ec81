// Process-wide V8 initialization, and the clock every isolate sees.
#pragma once

#include <v8.h>
#include <kj/array.h>
#include <kj/string.h>
#include <kj/time.h>

namespace kiln::js {

void initializeV8(kj::ArrayPtr<const kj::String> v8Flags = nullptr);
// Idempotent. Must run before any isolate is created; flags only take effect on the first call.

v8::Platform& getPlatform();

double frozenNowMillis();
// The wall clock as JavaScript sees it on this thread: it only moves when `advanceClock()` is
// called (at each I/O event), never while JavaScript runs, so code cannot build a precise timer
// out of `Date.now()` loops (a Spectre mitigation Workers also applies).

void advanceClock();

kj::TimePoint frozenMonotonic();
// The monotonic instant matching frozenNowMillis(); timers count from it, so that a timer set
// after a long computation still fires `delay` after the event's frozen time.
// Sets this thread's frozen clock to the real time. Called when kiln enters JavaScript from I/O.

}  // namespace kiln::js

namespace kiln::js {
void pumpMessageLoop(v8::Isolate* isolate);
// Runs V8's pending foreground tasks (GC finalization and the like) without blocking.
}  // namespace kiln::js
