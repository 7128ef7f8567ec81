// Time slices: fair CPU between the tenants of one event loop.
//
// Every entry into JavaScript from the event loop (a request, an RPC call, a timer, a settled
// I/O promise) runs on a call stack of its own. When it has used its slice (SLICE_NS) the
// watchdog interrupts it; the interrupt suspends the stack, the loop polls for I/O and serves
// other tenants, and the stack is resumed later, one suspended stack per poll. So one tenant
// looping delays the others on its thread by a slice, not by its whole CPU budget, and its own
// budget is unchanged: a suspended stack's clock stops.
//
// V8 knows nothing of this: the isolate is exited before a stack is suspended and entered again
// when it resumes, and nothing else enters it meanwhile (io::Runtime gates its entries).
#pragma once

#include "src/io/watchdog.h"

#include <kj/async.h>
#include <kj/function.h>
#include <kj/timer.h>

namespace kiln::io::slices {

class Run;
// One body running on a stack of its own.

kj::Promise<void> run(kj::Timer& timer, kj::Function<void()> body);
// Runs `body` now on a stack of its own (from a per-thread pool). When `body` returns without
// suspending, the promise is ready; else it settles when `body` ends. `body` must own what it
// uses after a suspension: its caller may have returned. Dropping the promise of a suspended
// body resumes it at once, with suspend() returning false, and waits for it to unwind.

kj::Maybe<Run&> current();
// The body the thread is running, or null on the thread's own stack.

const void* stackKey();
// Identifies the stack the thread is on (its own, or a body's).

bool suspend();
// From a body: parks its stack until the loop has polled and it is its turn. Returns true when
// resumed (or told to run to its end without suspending), false when the body is being canceled:
// its JavaScript must then unwind, and suspend() will not park again.

void declineYield();
// From a body asked to yield that cannot now (a native is mid-call): the watchdog asks again.

void finish(Run& run);
// Resumes a suspended body now and runs it to its end, without further suspensions: for an
// entry that cannot wait (a synchronous one) into the isolate that body holds.

void cancel(Run& run);
// Resumes a suspended body now with suspend() returning false, and runs it to its end: for an
// isolate being torn down under it.

}  // namespace kiln::io::slices
