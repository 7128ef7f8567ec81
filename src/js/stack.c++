#include "src/js/stack.h"

#include <kj/debug.h>
#include <pthread.h>

namespace kiln::js {

namespace {

// V8's own default (its --stack-size), so that recursion depth is what Node and workerd allow.
constexpr uintptr_t JS_STACK_BYTES = 984 * 1024;

thread_local uintptr_t switchedLimit = 0;
thread_local uintptr_t ownLimit = 0;

uintptr_t threadOwnLimit() {
  if (ownLimit == 0) {
    // Measured once, from the thread's bounds: the first entry may be deep or shallow, and every
    // later entry on this stack is held to the same address.
    char here;
    auto sp = reinterpret_cast<uintptr_t>(&here);
    uintptr_t low = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr;
      size_t size;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0)
        low = reinterpret_cast<uintptr_t>(addr);
      pthread_attr_destroy(&attr);
    }
    ownLimit = sp - JS_STACK_BYTES;
    // Keep room below the limit for C++ (natives, V8's own frames after an overflow).
    if (low != 0 && ownLimit < low + 256 * 1024)
      ownLimit = low + 256 * 1024;
  }
  return ownLimit;
}

}  // namespace

thread_local int nativeDepth = 0;

uintptr_t stackLimit() {
  return switchedLimit != 0 ? switchedLimit : threadOwnLimit();
}

void setStackLimit(uintptr_t limit) {
  switchedLimit = limit;
}

Lock::Lock(v8::Isolate* isolate) : locker(isolate), scope(isolate) {
  isolate->SetStackLimit(stackLimit());
}

}  // namespace kiln::js
