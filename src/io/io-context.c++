#include "src/io/io-context.h"

#include "src/io/runtime.h"
#include "src/js/platform.h"
#include "src/js/stack.h"

#include <kj/debug.h>

namespace kiln::io {

namespace {
thread_local uint32_t callerDepth = 0;
}

CallerDepth::CallerDepth(uint32_t depth) : previous(callerDepth) {
  callerDepth = depth;
}
CallerDepth::~CallerDepth() noexcept(false) {
  callerDepth = previous;
}
uint32_t CallerDepth::current() {
  return callerDepth;
}

IoContext::IoContext(Runtime& runtime, kj::Timer& timer, IoLimits limits)
    : runtime(runtime),
      timer(timer),
      // Every event of a worker is bounded by its worker's own limits, whoever made the
      // capability it came through: a caller can only tighten them.
      limits(IoLimits::tighter(limits, runtime.getEventLimits())),
      tasks(kj::heap<kj::TaskSet>(static_cast<kj::TaskSet::ErrorHandler&>(*this))),
      waitUntilTasks(kj::heap<kj::TaskSet>(static_cast<kj::TaskSet::ErrorHandler&>(*this))) {
  runtime.ioContexts.insert(this);
}

Revocable::~Revocable() noexcept(false) {
  KJ_IF_MAYBE (o, owner) {
    o->members.remove(*this);
  }
}

RevocationScope::~RevocationScope() noexcept(false) {
  end();
}

void RevocationScope::add(Revocable& revocable) {
  KJ_REQUIRE(revocable.owner == nullptr);
  if (ended) {
    revocable.revoke(reason);
    return;
  }
  revocable.owner = *this;
  members.add(revocable);
}

void RevocationScope::end() {
  ended = true;
  while (!members.empty()) {
    auto& r = *members.begin();
    members.remove(r);
    r.owner = nullptr;
    r.revoke(reason);
  }
}

RevocationScope& IoContext::receivedStubScope() {
  KJ_IF_MAYBE (s, stubScope) {
    return **s;
  }
  KJ_IF_MAYBE (s, ownScope) {
    return **s;
  }
  // Most events receive no stub, so the scope is made on demand.
  return *ownScope.emplace(kj::refcounted<RevocationScope>(EVENT_ENDED));
}

void IoContext::endOwnScope() {
  KJ_IF_MAYBE (s, ownScope) {
    (*s)->end();
  }
}

void IoContext::abandon() {
  endOwnScope();
  abandoned = true;
  tasks = nullptr;
  waitUntilTasks = nullptr;
  timers.clear();
}

IoContext::~IoContext() noexcept(false) {
  ending = true;
  endOwnScope();
  if (abandoned)
    return;
  runtime.ioContexts.eraseMatch(this);
  // Timer callbacks are V8 handles: release them while the isolate is still alive (the runtime
  // outlives every IoContext it serves).
  js::Lock lock(runtime.getIsolate());
  timers.clear();
}

void IoContext::addTask(kj::Promise<void> task) {
  if (abandoned)
    return;
  ++pendingTasks;
  tasks->add(task.attach(kj::defer([this]() { taskEnded(); })));
}

void IoContext::taskEnded() {
  // Tasks are also dropped while this context is destroyed, after idleFulfiller is gone.
  if (--pendingTasks == 0 && !abandoned && !ending) {
    KJ_IF_MAYBE (f, idleFulfiller) {
      (*f)->fulfill();
      idleFulfiller = nullptr;
    }
  }
}

kj::Promise<void> IoContext::whenHung() {
  KJ_IF_MAYBE (check, hungCheck) {
    return check->addBranch();
  }
  auto& check = hungCheck.emplace(checkHung().fork());
  return check.addBranch();
}

kj::Promise<void> IoContext::checkHung() {
  kj::Promise<void> idle = kj::READY_NOW;
  if (pendingTasks > 0) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    idleFulfiller = kj::mv(paf.fulfiller);
    idle = kj::mv(paf.promise);
  }
  // evalLast: whatever the last task's completion set off (a callback re-entering JavaScript,
  // which may start new work) runs first.
  return idle.then([]() { return kj::evalLast([]() {}); }).then([this]() -> kj::Promise<void> {
    if (pendingTasks > 0 || abandoned)
      return checkHung();
    if (runtime.scopeDepth > 0) {
      // JavaScript is running, suspended between slices (timeslice.h): not hung, busy.
      return runtime.whenFree().then([this]() { return checkHung(); });
    }
    if (runtime.ioContexts.size() > 1) {
      // Another event of this isolate could still settle the promise (one shared between
      // requests): look again later rather than cancel what may not be hung.
      return timer.afterDelay(100 * kj::MILLISECONDS).then([this]() { return checkHung(); });
    }
    hung = true;
    return kj::READY_NOW;
  });
}

void IoContext::addWaitUntil(kj::Promise<void> task) {
  if (abandoned)
    return;
  ++waitUntilCount;
  waitUntilTasks->add(task.then(
      [this]() {
        if (--waitUntilCount == 0) {
          for (auto& waiter: waitUntilWaiters)
            waiter->fulfill();
          waitUntilWaiters.clear();
        }
      },
      [this](kj::Exception&& e) {
        if (--waitUntilCount == 0) {
          for (auto& waiter: waitUntilWaiters)
            waiter->fulfill();
          waitUntilWaiters.clear();
        }
      }));
}

kj::Promise<void> IoContext::onWaitUntilDone() {
  if (waitUntilCount == 0)
    return kj::READY_NOW;
  auto paf = kj::newPromiseAndFulfiller<void>();
  waitUntilWaiters.add(kj::mv(paf.fulfiller));
  return kj::mv(paf.promise);
}

IoLimits IoLimits::tighter(const IoLimits& a, const IoLimits& b) {
  auto lower = [](uint32_t x, uint32_t y) { return x == 0 ? y : y == 0 ? x : kj::min(x, y); };
  return IoLimits{lower(a.subrequests, b.subrequests), lower(a.cpuMs, b.cpuMs)};
}

int64_t IoContext::cpuRemainingNs() const {
  return int64_t(limits.cpuMs) * 1000000 - cpuUsedNs;
}

IoContext::LogVerdict IoContext::admitLog(size_t bytes) {
  if (logCut)
    return LogVerdict::DROP;
  ++logLines;
  logBytes += bytes;
  if (logLines <= MAX_LOG_LINES && logBytes <= MAX_LOG_BYTES)
    return LogVerdict::EMIT;
  logCut = true;
  return LogVerdict::EMIT_THEN_CUT;
}

bool IoContext::consumeSubrequest() {
  if (limits.subrequests != 0 && subrequestsUsed >= limits.subrequests)
    return false;
  ++subrequestsUsed;
  return true;
}

uint32_t IoContext::setTimer(v8::Isolate* isolate, v8::Local<v8::Function> callback, double delayMs,
                             bool repeat) {
  if (timers.size() >= MAX_TIMERS)
    return 0;  // The caller throws Workers' QuotaExceededError.
  // What a pending timer costs natively (its entry, handle, timer promise, join and task): RSS
  // grew by about 1.8 KiB per timer, closure included. 10,000 per event times many events
  // otherwise grew the daemon by 287 MiB under a 64 MiB budget.
  js::NativeCharge charge(runtime.getJsIsolate(), TIMER_NATIVE_BYTES);
  if (!charge)
    return 0;  // The isolate is stopped as out of memory; the event fails with that.
  uint32_t id = nextTimerId++;
  // As in browsers, intervals below 1 ms would spin; clamp negative and NaN delays to 0.
  uint64_t delay = delayMs > 0 && delayMs < 1e12 ? uint64_t(delayMs) : 0;
  if (repeat && delay == 0)
    delay = 1;
  timers.insert(id, Timer{v8::Global<v8::Function>(isolate, callback), delay, repeat, nullptr,
                          kj::mv(charge)});
  scheduleTimer(id, delay);
  return id;
}

void IoContext::clearTimer(uint32_t id) {
  js::Lock lock(runtime.getIsolate());
  KJ_IF_MAYBE (entry, timers.find(id)) {
    entry->wake();
    timers.erase(id);
  }
}

void IoContext::scheduleTimer(uint32_t id, uint64_t delayMs) {
  // Clearing a timer ends its task at once (`cancel`), so a loop of setTimeout/clearTimeout
  // leaves nothing sleeping behind.
  if (abandoned)
    return;
  KJ_IF_MAYBE (entry, timers.find(id)) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    entry->wake();
    entry->cancel = kj::mv(paf.fulfiller);
    // Clearing cancels the wait, never a callback that has begun: that one runs on a stack of
    // its own and may be suspended between slices, which a cancel would end with the isolate.
    addTask(timer.atTime(js::frozenMonotonic() + delayMs * kj::MILLISECONDS)
                .then([]() { return true; })
                .exclusiveJoin(paf.promise.then([]() { return false; }))
                .then([this, id](bool due) -> kj::Promise<void> {
                  if (!due)
                    return kj::READY_NOW;
                  return fireTimer(id);
                }));
  }
}

kj::Promise<void> IoContext::fireTimer(uint32_t id) {
  if (runtime.isTerminated() || timers.find(id) == nullptr)
    return kj::READY_NOW;
  return runtime.runSliced(*this, [this, id](v8::Local<v8::Context> context) {
    KJ_IF_MAYBE (entry, timers.find(id)) {
      bool repeat = entry->repeat;
      uint64_t delay = entry->delayMs;
      auto isolate = context->GetIsolate();
      auto callback = entry->callback.Get(isolate);
      if (!repeat) {
        entry->wake();
        timers.erase(id);
      }
      // Built-ins wrap user callbacks and report their exceptions; nothing escapes here.
      v8::TryCatch tryCatch(isolate);
      (void)callback->Call(context, v8::Undefined(isolate), 0, nullptr);
      if (repeat && timers.find(id) != nullptr)
        scheduleTimer(id, delay);
    }
  });
}

void IoContext::taskFailed(kj::Exception&& exception) {
  if (exception.getType() != kj::Exception::Type::DISCONNECTED) {
    KJ_LOG(ERROR, "task failed in worker", runtime.getName(), exception);
  }
}

}  // namespace kiln::io
