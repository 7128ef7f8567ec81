// A JavaScript runtime bound to a KJ event loop: one isolate, one context, and the rules for
// entering JavaScript from I/O (clock, microtasks, termination) and for waiting on JS promises
// from C++. Configured and dynamic workers are each one Runtime.
#pragma once

#include "src/io/io-context.h"
#include "src/io/timeslice.h"
#include "src/io/watchdog.h"
#include "src/js/isolate.h"
#include "src/js/stack.h"

#include <v8.h>
#include <kj/async.h>
#include <kj/debug.h>
#include <kj/map.h>
#include <kj/table.h>
#include <kj/string.h>
#include <kj/vector.h>

#include <type_traits>

namespace kiln::io {

struct Settled {
  // The outcome of a JavaScript promise.
  bool rejected;
  v8::Global<v8::Value> value;
  // Empty when the isolate was terminated before the promise settled.

  v8::Local<v8::Value> get(v8::Isolate* isolate) const {
    return value.IsEmpty() ? v8::Undefined(isolate).As<v8::Value>() : value.Get(isolate);
  }
};

void setForceGc(bool on);
// `kiln test --force-gc` (or KILN_FORCE_GC in the environment): collect garbage after every
// entry into JavaScript, so that lifetime bugs show up in every test rather than by luck.

class Runtime {
 public:
  Runtime(kj::StringPtr name, const js::IsolateLimits& limits);
  // Takes a prepared isolate from the pool when `limits.usePool`, else makes one.
  ~Runtime() noexcept(false);
  KJ_DISALLOW_COPY(Runtime);

  kj::StringPtr getName() const { return name; }
  v8::Isolate* getIsolate() const { return isolate->get(); }
  js::Isolate& getJsIsolate() { return *isolate; }
  v8::Local<v8::Context> getContext() const;

  class Scope {
    // Enters the isolate and context (no IoContext): for setup and module evaluation.
   public:
    explicit Scope(Runtime& runtime);
    ~Scope() noexcept(false);
    v8::Local<v8::Context> context;

   private:
    struct Gate {
      // Before anything touches the isolate: an entry from another stack into an isolate that
      // a suspended event holds lets that event run to its end first.
      explicit Gate(Runtime& runtime);
    };
    Runtime& runtime;
    Gate gate;
    js::Lock lock;
    v8::HandleScope handleScope;
    v8::Context::Scope contextScope;
    kj::Maybe<CpuGuard> ceiling;
    // Outside events JavaScript can run too (a getter on an export, a stream's pull): the
    // outermost entry is held to the worker's CPU limit, so no path into the isolate escapes it.
  };

  template <typename Func>
  auto run(IoContext& ioContext, Func&& func) -> decltype(func(v8::Local<v8::Context>()));
  // Enters JavaScript on behalf of an event: advances the frozen clock, makes ioContext
  // current, runs func, then drains microtasks (which run under the same IoContext).

  template <typename Func>
  auto runSliced(IoContext& ioContext, Func&& func)
      -> kj::PromiseForResult<Func, v8::Local<v8::Context>>;
  // Like run(), on a stack of its own (timeslice.h): the event's JavaScript may be suspended
  // when it has used its slice, so that the loop serves other tenants. `func` runs at once if
  // the isolate is free, else once it is; it is moved and must own what it uses (captures by
  // value, or references to what outlives the returned promise). Called while the isolate is
  // in use (by a native of this isolate, or from another stack), it waits until it is free.

  kj::Promise<Settled> awaitJs(v8::Local<v8::Context> context, v8::Local<v8::Value> value);
  // Waits for a JavaScript value (a promise or not). The JavaScript side keeps no reference to
  // C++ state, so dropping the returned promise is always safe.

  kj::Maybe<IoContext&> currentIoContext() { return current; }

  void cancelSuspended();
  // An event suspended mid-JavaScript (timeslice.h) is resumed at once and unwinds. Owners call
  // this first when tearing down, before freeing anything its stack may still use.

  void setEventLimits(IoLimits limits) { eventLimits = limits; }
  const IoLimits& getEventLimits() const { return eventLimits; }
  // The worker's own limits: every IoContext on this runtime runs under them (tightened by what
  // its caller asks), and every entry into the isolate, event or not, under its CPU limit.

  static Runtime& from(v8::Local<v8::Context> context);

  bool isFromSnapshot() const { return isolate->isFromSnapshot(); }
  bool isFromPool() const { return fromPool; }
  // Whether the isolate was prepared ahead of demand (a warm start) or made on the spot.
  enum class Termination { NONE, EXCEEDED_CPU, EXCEEDED_MEMORY, OTHER };

  bool isTerminated() const { return termination != Termination::NONE; }
  Termination getTermination() const { return termination; }
  kj::StringPtr terminationMessage() const;
  // "Worker exceeded CPU time limit." and the like: the error the caller sees.
  // Once terminated (out of memory, CPU limit), the runtime must not serve further events.

 private:
  kj::String name;
  kj::Own<js::Isolate> isolate;
  bool fromPool = false;
  v8::Global<v8::Context> context;
  IoContext* current = nullptr;
  kj::HashSet<IoContext*> ioContexts;
  // Live events. One may outlive the runtime (a promise elsewhere still holds it when a worker
  // is torn down); the runtime then cancels its work while the isolate still exists.
  friend class IoContext;
  Termination termination = Termination::NONE;
  IoLimits eventLimits = IoLimits::unlimited();
  uint32_t scopeDepth = 0;
  const void* enteredOn = nullptr;
  // The stack the outermost Scope is on (slices::stackKey()).
  kj::Maybe<slices::Run&> suspended;
  // The event holding the isolate while its stack is parked: nothing else may enter meanwhile.
  kj::Vector<kj::Own<kj::PromiseFulfiller<void>>> freeWaiters;

  kj::Promise<void> whenFree();
  // Resolves once no Scope is open on the isolate, on any stack.
  static void onSliceEnd(v8::Isolate* isolate, void*);

  uint64_t nextWaiterId = 1;
  kj::HashMap<uint64_t, kj::Own<kj::PromiseFulfiller<Settled>>> waiters;

  static bool forceGcMode();
  static void pauseForGc(v8::Isolate*, v8::GCType, v8::GCCallbackFlags);
  static void resumeAfterGc(v8::Isolate*, v8::GCType, v8::GCCallbackFlags);
  void afterRun(kj::Maybe<CpuGuard>& guard);
  // Drains microtasks, stops the guard, and in --force-gc mode collects garbage (not charged:
  // the stack's clock is paused meanwhile).
  static void settleCallback(const v8::FunctionCallbackInfo<v8::Value>& info);
};

template <typename Func>
auto Runtime::run(IoContext& ioContext, Func&& func) -> decltype(func(v8::Local<v8::Context>())) {
  Scope scope(*this);
  auto previous = current;
  current = &ioContext;
  kj::Maybe<CpuGuard> guard;
  if (ioContext.getLimits().cpuMs > 0) {
    guard.emplace(getIsolate(), kj::max(ioContext.cpuRemainingNs(), int64_t(0)));
  }
  int64_t cpuStart = stackCpuNanos();
  KJ_DEFER({
    afterRun(guard);
    ioContext.addCpu(stackCpuNanos() - cpuStart);
    current = previous;
  });
  return func(scope.context);
}

template <typename Func>
auto Runtime::runSliced(IoContext& ioContext, Func&& func)
    -> kj::PromiseForResult<Func, v8::Local<v8::Context>> {
  using Result = decltype(func(v8::Local<v8::Context>()));
  if (scopeDepth > 0) {
    // Never nested, even from a native of this isolate on the same stack (a worker fetching
    // itself through ctx.exports): the microtasks of a nested event would run in the drain of
    // the event around it, under that event's IoContext (its depth, subrequests and CPU).
    return whenFree().then([this, &ioContext, func = kj::fwd<Func>(func)]() mutable {
      return runSliced(ioContext, kj::mv(func));
    });
  }
  if constexpr (std::is_void_v<Result>) {
    return slices::run(
        ioContext.getTimer(),
        [this, &ioContext, func = kj::fwd<Func>(func)]() mutable { run(ioContext, func); });
  } else {
    auto out = kj::heap<kj::Maybe<Result>>();
    auto& slot = *out;
    return slices::run(ioContext.getTimer(),
                       [this, &ioContext, &slot, func = kj::fwd<Func>(func)]() mutable {
                         slot = run(ioContext, func);
                       })
        .then([out = kj::mv(out)]() mutable -> Result { return KJ_ASSERT_NONNULL(kj::mv(*out)); });
  }
}

}  // namespace kiln::io
