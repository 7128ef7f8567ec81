// Per-event state: everything JavaScript starts while handling one event (an HTTP request, a
// test, later an RPC call or alarm) belongs to that event's IoContext and is canceled with it.
#pragma once

#include "src/io/trace.h"
#include "src/js/isolate.h"

#include <v8.h>
#include <kj/async.h>
#include <kj/function.h>
#include <kj/list.h>
#include <kj/refcount.h>
#include <kj/map.h>
#include <kj/timer.h>

namespace kiln::io {

class Runtime;
class IoContext;

struct IoLimits {
  uint32_t subrequests = 1000;
  // fetch() and service-binding calls per event; 0 means unlimited.

  uint32_t cpuMs = 0;
  // CPU time JavaScript may use for this event; 0 means unlimited.

  static IoLimits tighter(const IoLimits& a, const IoLimits& b);
  // The lower of each limit (0 counting as unlimited).

  static IoLimits unlimited() { return IoLimits{0, 0}; }
  // For a caller that adds no limits of its own (the worker's own still apply).
};

class RevocationScope;

class Revocable {
  // Something JavaScript holds that must stop working when its scope ends (a stub received
  // during a request). If it is destroyed first, it leaves the scope.
 public:
  virtual ~Revocable() noexcept(false);
  virtual void revoke(kj::StringPtr reason) = 0;
  // `reason` is what later uses should say; it outlives the Revocable (a static string).

 private:
  kj::Maybe<RevocationScope&> owner;
  kj::ListLink<Revocable> link;
  friend class RevocationScope;
};

constexpr uint32_t MAX_CALL_DEPTH = 16;
constexpr kj::StringPtr DEPTH_MESSAGE =
    "Subrequest depth limit exceeded. This request recursed through Workers too many times. "
    "This can happen e.g. if you have a Worker or Durable Object that calls other Workers or "
    "objects recursively."_kj;

class CallerDepth {
  // The depth (IoContext::getDepth()) of the event whose fetch() is entering a capability, so
  // that the callee's event counts one more and a chain of fetch() hops is stopped at
  // MAX_CALL_DEPTH like a chain of RPC calls (which carry the depth in their arguments). An HTTP
  // request has no field for it (kj::HttpService's interface is fixed, and a header could be
  // forged by the caller or leak to the network), so fetch() names it for the duration of its
  // synchronous call into the client. A capability that forwards the request later (once a
  // worker has loaded, once an object admits it) reads current() at entry and names it again
  // around the forwarding call.
 public:
  explicit CallerDepth(uint32_t depth);
  ~CallerDepth() noexcept(false);
  KJ_DISALLOW_COPY(CallerDepth);

  static uint32_t current();
  // 0 outside any fetch(): a request from a socket, a Cap'n Proto client or the test runner.

 private:
  uint32_t previous;
};

constexpr kj::StringPtr HUNG_MESSAGE =
    "The Workers runtime canceled this request because it detected that your Worker's code had "
    "hung and would never generate a response."_kj;

constexpr kj::StringPtr EVENT_ENDED =
    "This RPC stub was received during a request or call that has ended. Stubs a stateless "
    "worker receives are only usable until the event they arrived in finishes; a Durable "
    "Object can keep them."_kj;
constexpr kj::StringPtr OBJECT_ENDED =
    "This RPC stub was received by a Durable Object instance that has since been aborted, "
    "evicted or shut down; its stubs ended with it."_kj;

class RevocationScope final : public kj::Refcounted {
  // Revocables that end together: those of one event (its IoContext's own scope), or of one
  // Durable Object instance, whose events keep what they receive until the instance is aborted,
  // evicted or shut down. Once ended, a scope revokes anything added to it at once.
 public:
  explicit RevocationScope(kj::StringPtr reason) : reason(reason) {}
  ~RevocationScope() noexcept(false);
  KJ_DISALLOW_COPY(RevocationScope);

  void add(Revocable& revocable);
  void end();

 private:
  kj::List<Revocable, &Revocable::link> members;
  kj::StringPtr reason;
  bool ended = false;
  friend class Revocable;
};

class IoContext final : private kj::TaskSet::ErrorHandler {
 public:
  IoContext(Runtime& runtime, kj::Timer& timer, IoLimits limits);
  // `limits` are the caller's; the event runs under the tighter of them and the runtime's.
  ~IoContext() noexcept(false);
  KJ_DISALLOW_COPY(IoContext);

  Runtime& getRuntime() { return runtime; }
  kj::Timer& getTimer() { return timer; }

  void addTask(kj::Promise<void> task);
  // Work JavaScript started (timers, fetches): canceled when the context ends.

  template <typename T>
  kj::Promise<T> busyWhile(kj::Promise<T> work) {
    // Counts `work` as pending, like a task, but leaves it to its caller: e.g. a body chunk
    // written while the reader has not taken it yet, which the event is not hung on.
    ++pendingTasks;
    return work.attach(kj::defer([this]() { taskEnded(); }));
  }

  kj::Promise<void> whenHung();
  // Resolves when nothing could ever settle what the event waits for: none of its tasks is
  // pending (no timer, fetch, RPC call or body read) and no other event of the isolate is live.
  // The event then fails as in Workers (HUNG_MESSAGE) instead of holding its caller for ever.
  bool isHung() const { return hung; }
  void notHung() {
    // What the event waited on made progress: a verdict reached meanwhile, with nobody waiting
    // for it, is stale; the next whenHung() looks afresh.
    hung = false;
    hungCheck = nullptr;
  }

  void addWaitUntil(kj::Promise<void> task);
  kj::Promise<void> onWaitUntilDone();
  // Resolves when every waitUntil() task so far (and any they add) has settled.
  bool hasWaitUntil() const { return waitUntilCount > 0; }

  uint32_t setTimer(v8::Isolate* isolate, v8::Local<v8::Function> callback, double delayMs,
                    bool repeat);
  // 0 once MAX_TIMERS are pending: every timer holds a V8 handle and a task outside the heap.
  static constexpr size_t MAX_TIMERS = 10000;
  static constexpr size_t TIMER_NATIVE_BYTES = 1536;
  void clearTimer(uint32_t id);

  bool consumeSubrequest();
  // False once this event has used its subrequest allowance.

  enum class LogVerdict { EMIT, DROP, EMIT_THEN_CUT };
  LogVerdict admitLog(size_t bytes);
  // console output per event is capped (MAX_LOG_LINES lines, MAX_LOG_BYTES bytes), so a worker
  // printing in a loop cannot flood the daemon's log or its tails.
  static constexpr uint32_t MAX_LOG_LINES = 10000;
  static constexpr size_t MAX_LOG_BYTES = 1u << 20;

  const IoLimits& getLimits() const { return limits; }

  uint32_t getDepth() const { return depth; }
  void setDepth(uint32_t d) { depth = d; }
  // How many calls between workers led to this event (1 for one made from outside).

  RevocationScope& receivedStubScope();
  void scopeReceivedStubsTo(kj::Own<RevocationScope> scope) { stubScope = kj::mv(scope); }
  // Stubs a worker receives during an event (in a call's arguments or results) are revoked
  // when the event ends, so a stateless worker cannot keep another party's capability past the
  // request it was handed in. A Durable Object's events use the object's scope instead: it keeps
  // them as long as the instance lives.

  kj::Maybe<Trace&> getTrace() {
    KJ_IF_MAYBE (t, trace) {
      return **t;
    }
    return nullptr;
  }
  void setTrace(kj::Own<Trace> t) { trace = kj::mv(t); }
  kj::Maybe<kj::Own<Trace>> takeTrace() { return kj::mv(trace); }
  int64_t cpuRemainingNs() const;
  void addCpu(int64_t ns) { cpuUsedNs += ns; }
  int64_t getCpuUsedNs() const { return cpuUsedNs; }

 private:
  struct Timer {
    v8::Global<v8::Function> callback;
    uint64_t delayMs;
    bool repeat;
    kj::Maybe<kj::Own<kj::PromiseFulfiller<void>>> cancel;  // Ends the scheduled task.
    js::NativeCharge charge;  // Its promises and handles, against the isolate's memory budget.

    void wake() {
      KJ_IF_MAYBE (f, cancel) {
        (*f)->fulfill();
      }
      cancel = nullptr;
    }
  };

  Runtime& runtime;
  bool abandoned = false;
  uint32_t depth = 1;
  bool ending = false;  // Set when destruction starts; read by tasks as they are dropped.
  void taskEnded();
  uint32_t pendingTasks = 0;  // Declared before `tasks`, which decrements it as it is dropped.
  kj::Timer& timer;
  IoLimits limits;
  uint32_t subrequestsUsed = 0;
  kj::Maybe<kj::Own<Trace>> trace;
  uint32_t logLines = 0;
  size_t logBytes = 0;
  bool logCut = false;
  int64_t cpuUsedNs = 0;
  kj::Own<kj::TaskSet> tasks;
  kj::Own<kj::TaskSet> waitUntilTasks;
  uint32_t waitUntilCount = 0;
  kj::Vector<kj::Own<kj::PromiseFulfiller<void>>> waitUntilWaiters;
  uint32_t nextTimerId = 1;
  kj::HashMap<uint32_t, Timer> timers;
  kj::Maybe<kj::Own<RevocationScope>> ownScope;  // Made when the first stub arrives.
  kj::Maybe<kj::Own<RevocationScope>> stubScope;
  kj::Maybe<kj::Own<kj::PromiseFulfiller<void>>> idleFulfiller;
  bool hung = false;
  kj::Maybe<kj::ForkedPromise<void>> hungCheck;  // Last: canceled before what it looks at.

  kj::Promise<void> checkHung();

  void endOwnScope();
  void abandon();
  // The runtime is going away first: cancel everything that holds its handles. Afterwards this
  // context is inert.
  friend class Runtime;

  void scheduleTimer(uint32_t id, uint64_t delayMs);
  kj::Promise<void> fireTimer(uint32_t id);
  void taskFailed(kj::Exception&& exception) override;
};

}  // namespace kiln::io
