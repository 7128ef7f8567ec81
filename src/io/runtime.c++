#include "src/io/runtime.h"

#include "src/js/platform.h"
#include "src/js/pool.h"
#include "src/js/stack.h"
#include "src/js/value.h"

#include <kj/debug.h>

namespace kiln::io {

Runtime::Runtime(kj::StringPtr name, const js::IsolateLimits& limits) : name(kj::heapString(name)) {
  setSliceInterrupt(&onSliceEnd);
  kj::Maybe<js::PreparedIsolate> prepared;
  if (limits.usePool)
    prepared = js::takePreparedIsolate(limits);
  KJ_IF_MAYBE (p, prepared) {
    isolate = kj::mv(p->isolate);
    context = kj::mv(p->context);
    fromPool = true;
  } else {
    isolate = kj::heap<js::Isolate>(limits);
  }
  js::Lock lock(isolate->get());
  v8::HandleScope handleScope(isolate->get());
  if (context.IsEmpty())
    context.Reset(isolate->get(), isolate->newContext());
  context.Get(isolate->get())->SetAlignedPointerInEmbedderData(js::SLOT_RUNTIME, this);
  if (forceGcMode()) {
    // Test mode collects after every entry, which leaves the heap at its smallest, so V8 also
    // collects far more often inside JavaScript than it would in service: none of that is the
    // worker's CPU, or a test of a 10 ms limit would measure the test mode.
    isolate->get()->AddGCPrologueCallback(&pauseForGc);
    isolate->get()->AddGCEpilogueCallback(&resumeAfterGc);
  }
}

namespace {
thread_local StackClock* gcPaused = nullptr;
}

void Runtime::pauseForGc(v8::Isolate*, v8::GCType, v8::GCCallbackFlags) {
  auto& clock = currentStackClock();
  if (clock.pausedAtNs >= 0 || gcPaused != nullptr)
    return;  // Already paused (afterRun's own collection).
  pauseStackClock(clock);
  gcPaused = &clock;
}

void Runtime::resumeAfterGc(v8::Isolate*, v8::GCType, v8::GCCallbackFlags) {
  KJ_IF_MAYBE (clock, gcPaused) {
    resumeStackClock(*clock);
  }
  gcPaused = nullptr;
}

void Runtime::cancelSuspended() {
  KJ_IF_MAYBE (run, suspended) {
    slices::cancel(*run);
  }
}

Runtime::~Runtime() noexcept(false) {
  // An event suspended mid-JavaScript: unwind it while the isolate is still here.
  cancelSuspended();
  freeWaiters.clear();
  // Waiters hold nothing of V8's; drop them before the isolate goes.
  waiters.clear();
  js::Lock lock(isolate->get());
  auto orphans = kj::mv(ioContexts);
  for (auto ioContext: orphans)
    ioContext->abandon();
  context.Reset();
}

v8::Local<v8::Context> Runtime::getContext() const {
  return context.Get(isolate->get());
}

Runtime& Runtime::from(v8::Local<v8::Context> context) {
  return *static_cast<Runtime*>(context->GetAlignedPointerFromEmbedderData(js::SLOT_RUNTIME));
}

Runtime::Scope::Gate::Gate(Runtime& runtime) {
  if (runtime.scopeDepth == 0 || runtime.enteredOn == slices::stackKey())
    return;
  KJ_IF_MAYBE (run, runtime.suspended) {
    // A synchronous entry cannot wait for its turn: the suspended event goes first, to its end.
    slices::finish(*run);
    KJ_ASSERT(runtime.scopeDepth == 0);
    return;
  }
  // Its stack is below this one, waiting for what runs here: entering would interleave two
  // stacks' frames in one isolate.
  KJ_FAIL_REQUIRE("JavaScript re-entered a worker from another stack", runtime.name);
}

Runtime::Scope::Scope(Runtime& runtime)
    : runtime(runtime),
      gate(runtime),
      lock(runtime.getIsolate()),
      handleScope(runtime.getIsolate()),
      contextScope(runtime.getContext()) {
  context = runtime.getContext();
  js::advanceClock();
  if (runtime.scopeDepth++ == 0) {
    runtime.enteredOn = slices::stackKey();
    if (runtime.eventLimits.cpuMs > 0)
      ceiling.emplace(runtime.getIsolate(), int64_t(runtime.eventLimits.cpuMs) * 1000000);
  }
}

Runtime::Scope::~Scope() noexcept(false) {
  KJ_IF_MAYBE (guard, ceiling) {
    guard->stop();
    if (guard->fired() && runtime.termination == Termination::NONE) {
      // Outside an event there is nobody to tell but the next caller: the runtime is done.
      runtime.termination = Termination::EXCEEDED_CPU;
      runtime.getIsolate()->CancelTerminateExecution();
    }
  }
  if (--runtime.scopeDepth == 0) {
    runtime.enteredOn = nullptr;
    auto waiting = kj::mv(runtime.freeWaiters);
    for (auto& waiter: waiting)
      waiter->fulfill();
  }
}

kj::Promise<void> Runtime::whenFree() {
  auto paf = kj::newPromiseAndFulfiller<void>();
  freeWaiters.add(kj::mv(paf.fulfiller));
  return kj::mv(paf.promise);
}

void Runtime::onSliceEnd(v8::Isolate* isolate, void*) {
  // The watchdog's interrupt, on the isolate's thread, between two steps of its JavaScript.
  if (slices::current() == nullptr)
    return;
  auto context = isolate->GetEnteredOrMicrotaskContext();
  if (context.IsEmpty()) {
    slices::declineYield();
    return;
  }
  auto& runtime = from(context);
  if (js::nativeDepth > 0 || runtime.scopeDepth != 1 || runtime.enteredOn != slices::stackKey() ||
      runtime.termination != Termination::NONE || isolate->IsExecutionTerminating()) {
    // A native is mid-call (its C++ state is not ours to freeze), or another entry is nested.
    slices::declineYield();
    return;
  }
  runtime.suspended = KJ_ASSERT_NONNULL(slices::current());
  // Nothing of this isolate stays current on the thread while others run.
  isolate->Exit();
  bool resumed = slices::suspend();
  isolate->Enter();
  isolate->SetStackLimit(js::stackLimit());
  runtime.suspended = nullptr;
  if (!resumed) {
    // Canceled while suspended (its caller went away, or the worker is being torn down): its
    // JavaScript unwinds, and the isolate, stopped mid-run, serves nothing more.
    isolate->TerminateExecution();
  }
}

namespace {
bool forceGc = getenv("KILN_FORCE_GC") != nullptr;
}  // namespace

bool Runtime::forceGcMode() {
  return forceGc;
}

void setForceGc(bool on) {
  forceGc = on;
}

void Runtime::afterRun(kj::Maybe<CpuGuard>& guard) {
  auto iso = isolate->get();
  if (!iso->IsExecutionTerminating()) {
    iso->PerformMicrotaskCheckpoint();
  }
  bool cpuFired = false;
  KJ_IF_MAYBE (g, guard) {
    g->stop();
    cpuFired = g->fired();
  }
  if (forceGc && !iso->IsExecutionTerminating()) {
    // Test mode: a full collection after every entry frees whatever JavaScript no longer
    // references, so a C++ object that outlives its wrapper shows up in every test run. It runs
    // after the CPU guard stops and is not charged: the collection is the test's cost, not the
    // worker's.
    // Paused, the stack's clock leaves it out for every guard on the stack (an enclosing
    // entry's too), not only for this entry's CPU.
    auto& clock = currentStackClock();
    pauseStackClock(clock);
    iso->LowMemoryNotification();
    js::pumpMessageLoop(iso);  // Its weak callbacks, which may tear down collected workers.
    resumeStackClock(clock);
  }
  js::pumpMessageLoop(iso);
  if (termination == Termination::NONE) {
    if (isolate->exceededMemory()) {
      termination = Termination::EXCEEDED_MEMORY;
    } else if (cpuFired || (iso->IsExecutionTerminating() && cpuLimitReached())) {
      // Also an enclosing guard of this stack (the entry's ceiling), which can fire a tick
      // before the event's own.
      termination = Termination::EXCEEDED_CPU;
    } else if (iso->IsExecutionTerminating()) {
      termination = Termination::OTHER;
    }
  }
  if (termination != Termination::NONE) {
    // Leave the isolate usable for teardown; nothing runs in it again. Whoever waits on its
    // promises learns now, instead of waiting forever.
    iso->CancelTerminateExecution();
    auto pending = kj::mv(waiters);
    for (auto& waiter: pending)
      waiter.value->fulfill(Settled{true, {}});
  }
}

kj::StringPtr Runtime::terminationMessage() const {
  switch (termination) {
    case Termination::NONE:
      return "";
    case Termination::EXCEEDED_CPU:
      return "Worker exceeded CPU time limit.";
    case Termination::EXCEEDED_MEMORY:
      return "Worker exceeded memory limit.";
    case Termination::OTHER:
      return "Worker was terminated.";
  }
  KJ_UNREACHABLE;
}

void Runtime::settleCallback(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto& self = from(isolate->GetCurrentContext());
  double code = info.Data().As<v8::Number>()->Value();
  bool rejected = code < 0;
  uint64_t id = rejected ? -code : code;
  KJ_IF_MAYBE (fulfiller, self.waiters.find(id)) {
    auto value = info.Length() > 0 ? info[0] : v8::Undefined(isolate).As<v8::Value>();
    (*fulfiller)->fulfill(Settled{rejected, v8::Global<v8::Value>(isolate, value)});
    self.waiters.erase(id);
  }
}

kj::Promise<Settled> Runtime::awaitJs(v8::Local<v8::Context> ctx, v8::Local<v8::Value> value) {
  auto iso = isolate->get();
  if (!value->IsPromise()) {
    return Settled{false, v8::Global<v8::Value>(iso, value)};
  }
  auto promise = value.As<v8::Promise>();
  if (promise->State() != v8::Promise::kPending) {
    promise->MarkAsHandled();
    return Settled{promise->State() == v8::Promise::kRejected,
                   v8::Global<v8::Value>(iso, promise->Result())};
  }
  uint64_t id = nextWaiterId++;
  auto paf = kj::newPromiseAndFulfiller<Settled>();
  waiters.insert(id, kj::mv(paf.fulfiller));
  // Ids fit a double exactly for centuries of calls; the sign says which way it settled.
  auto onFulfilled =
      v8::Function::New(ctx, &settleCallback, v8::Number::New(iso, double(id))).ToLocalChecked();
  auto onRejected =
      v8::Function::New(ctx, &settleCallback, v8::Number::New(iso, -double(id))).ToLocalChecked();
  if (promise->Then(ctx, onFulfilled, onRejected).IsEmpty()) {
    waiters.erase(id);
    return KJ_EXCEPTION(FAILED, "could not wait for a JavaScript promise");
  }
  return paf.promise.attach(kj::defer([this, id]() { waiters.erase(id); }));
}

}  // namespace kiln::io
