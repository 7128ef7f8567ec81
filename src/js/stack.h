// Which call stack JavaScript runs on. Entries from the event loop run on stacks of their own
// (io/timeslice.h), so V8's stack limit, which is an address, must follow the stack in use, and
// kiln's natives are counted per stack (a suspended stack keeps its count).
#pragma once

#include <v8.h>
#include <cstdint>

namespace kiln::js {

uintptr_t stackLimit();
// V8's limit for the stack the thread is on now: about 1 MiB below where JavaScript may start.

void setStackLimit(uintptr_t limit);
// Called when the thread switches stacks; 0 goes back to the thread's own stack.

extern thread_local int nativeDepth;
// How many kiln natives are running on the current stack. JavaScript called from inside one (a
// getter read by a native) must not be suspended: the native's C++ state is mid-operation.

class SuspendableCall {
  // Inside a native, around a call back into JavaScript during which the native keeps nothing
  // another event could change (its state is local, on this stack: a serializer walking a value
  // through the tenant's getters). That JavaScript may then be suspended like any other.
 public:
  SuspendableCall() : counted(nativeDepth > 0) {
    if (counted)
      --nativeDepth;
  }
  ~SuspendableCall() {
    if (counted)
      ++nativeDepth;
  }
  SuspendableCall(const SuspendableCall&) = delete;

 private:
  bool counted;
};

class Lock {
  // Locks and enters an isolate on the current stack, with the stack limit of that stack. Every
  // entry into a kiln isolate goes through one (or io::Runtime::Scope, which holds one).
 public:
  explicit Lock(v8::Isolate* isolate);
  Lock(const Lock&) = delete;

 private:
  v8::Locker locker;
  v8::Isolate::Scope scope;
};

}  // namespace kiln::js
