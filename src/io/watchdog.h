// The CPU watchdog: one background thread that stops JavaScript which has used more CPU time
// than its event allows (`limits.cpuMs`). It measures the thread's CPU clock, not wall time, so
// time spent waiting for I/O never counts.
#pragma once

#include <v8.h>
#include <atomic>
#include <cstdint>

namespace kiln::io {

struct StackClock {
  // The CPU clock of one call stack of this thread. JavaScript entries from the event loop run
  // on stacks of their own (timeslice.h). While one is suspended the thread's CPU goes to
  // others, and is charged neither to its guards nor to its events; the watchdog only checks
  // the guards of the stack the thread is running on. (A stack entered from another and
  // returning to it without suspending costs no clock reads: its CPU then counts for both, as
  // for any nested call.)
  int64_t excludedNs = 0;
  int64_t pausedAtNs = -1;
  bool sliced = false;
  // JavaScript on this stack may be suspended: after each slice the watchdog asks it to yield.
  int64_t sliceStartNs = -1;
  // On this stack's clock; -1 until the watchdog first sees the stack running. Guarded by the
  // thread's watchdog mutex.
  std::atomic<bool> yieldRequested{false};
};

constexpr int64_t SLICE_NS = 20 * 1000 * 1000;
// A tenant that has run this long while others may be waiting is asked to yield. With one
// resumed per poll, a bystander waits about one slice per I/O step, whatever the tenant count.

StackClock& threadStackClock();
// The thread's own stack.

void enterStack(StackClock& to, bool newSlice);
// The thread now runs on `to`'s stack (a new slice begins when `newSlice`). No clock is read.

void pauseStackClock(StackClock& clock);
void resumeStackClock(StackClock& clock);
// Around a suspension of `clock`'s stack: the CPU the thread spends meanwhile is not its. Also
// around work on the stack itself that no guard of it should count (a forced collection).

StackClock& currentStackClock();
// The clock of the stack the thread is on.

int64_t stackCpuNanos();
// CPU time of the stack the thread is on: thread CPU time less the time it was suspended.

void setSliceInterrupt(v8::InterruptCallback callback);
// What the watchdog requests (v8::Isolate::RequestInterrupt) of an isolate whose slice is over.

class CpuGuard {
  // While alive, the current thread is running JavaScript in `isolate` with `budgetNs` of CPU
  // time left; past it the watchdog terminates the isolate's execution, and keeps terminating
  // it every millisecond until the guard stops, so that JavaScript which swallows or outlives one
  // termination (a native that catches it, a nested entry that cancels it) is stopped again.
  //
  // Guards nest (a parent's event starts a dynamic worker, whose module evaluation has a guard
  // of its own; an event's guard inside an entry's ceiling guard): each is checked on its own,
  // and an inner one ending leaves the outer ones in force. They must end in reverse order of
  // creation, which scoped use guarantees.
 public:
  CpuGuard(v8::Isolate* isolate, int64_t budgetNs);
  ~CpuGuard() noexcept(false);
  CpuGuard(const CpuGuard&) = delete;

  int64_t elapsedNs() const;
  bool fired() const;
  void stop();
  // Ends supervision early (idempotent); elapsedNs() and fired() stay valid.

  struct Slot;

 private:
  Slot* slot;
  StackClock* clock;
  uint64_t frameId;
  int64_t startNs;
  int64_t endNs = -1;
  bool wasFired = false;
};

int64_t threadCpuNanos();

void setProcessCpuCeiling(int64_t ns);
// No guard in this process gets more than `ns` (0: no ceiling). `kiln test --timeout` uses it,
// so that a test's dynamic workers cannot spin past the test's own timeout either.

bool cpuLimitReached();
// Whether the CPU budget of any JavaScript this thread is running has run out: for native code
// that can run long outside V8 (SQLite), where V8's termination does not reach.

}  // namespace kiln::io
