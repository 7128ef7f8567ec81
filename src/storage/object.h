// The live instance of one Durable Object (or facet): its JavaScript object, its SQLite
// database, its alarms and input gate, and the natives behind ctx.storage and ctx.facets.
// Internal to src/storage.
#pragma once

#include "src/api/settle.h"
#include "src/js/platform.h"
#include "src/js/value.h"
#include "src/js/wrap.h"
#include "src/loader/loader.h"
#include "src/storage/durable-objects.h"
#include "src/util/metrics.h"

#include <kj/debug.h>
#include <sys/stat.h>

namespace kiln::storage {

using js::newString;
using js::toKj;

struct InstanceSpec {
  kj::String className;
  kj::String id;
  kj::Maybe<kj::String> filePrefix;  // "<dir>/<uniqueKey>/<id>[.<n>...]"; null: in memory.
  unsigned depth;                    // 0 for a namespace's objects, 1+ for facets.
  kj::Function<kj::Maybe<worker::Worker&>()> getWorker;
  kj::Maybe<DurableObjectNamespace&> ns;               // For /metrics and ctx.id.name.
  kj::Maybe<kj::Own<loader::WorkerHandle>> keepAlive;  // A facet's dynamic worker.
  kj::Maybe<SqliteDatabase&> memoryDb;
  // An in-memory facet's database, owned by its FacetSlot so that it outlives an abort().
  kj::Maybe<kj::String> idName = nullptr;
  // A facet's ctx.id.name, inherited from its parent (objects look theirs up in `ns`).
  kj::Maybe<kj::String> propsJson = nullptr;
  // A facet's ctx.props, from ctx.exports.X({props}); null: {}.
};

constexpr unsigned MAX_FACET_DEPTH = 4;
constexpr unsigned MAX_ALARM_RETRIES = 6;
constexpr double ALARM_BACKOFF_MS = 250;
constexpr size_t MAX_FACET_NAME = 256;

class ObjectInstance;

// A configured worker seen as a WorkerHandle, for facets running one of its own classes.
class LocalWorkerHandle final : public loader::WorkerHandle {
 public:
  explicit LocalWorkerHandle(worker::Worker& worker) : worker(worker) {}
  kj::Promise<void> whenReady() override { return kj::READY_NOW; }
  worker::Worker& getWorker() override { return worker; }
  bool isBroken() override { return worker.getRuntime().isTerminated(); }

 private:
  worker::Worker& worker;
};

// One running facet: the dynamic worker whose class it is and the instance, once started.
class FacetRun final : public kj::Refcounted {
 public:
  FacetRun() : ready(nullptr) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    fulfiller = kj::mv(paf.fulfiller);
    ready = paf.promise.fork();
  }

  kj::Promise<void> whenReady() { return ready.addBranch(); }
  void fail(kj::StringPtr cause) {
    if (settled)
      return;
    settled = true;
    failure = kj::str(cause);
    fulfiller->reject(api::userError("Error", kj::str("Failed to start facet: ", cause)));
  }
  void start(kj::Own<loader::WorkerHandle> handle, kj::Own<ObjectInstance> object) {
    if (settled)
      return;
    settled = true;
    worker = kj::mv(handle);
    instance = kj::mv(object);
    fulfiller->fulfill();
  }
  bool isBroken() {
    if (failure != nullptr)
      return true;
    KJ_IF_MAYBE (w, worker) {
      return (*w)->isBroken();
    }
    return false;
  }

  template <typename T>
  kj::Promise<T> wrap(kj::Promise<T> promise) {
    return canceler.wrap(kj::mv(promise));
  }
  void abort(kj::StringPtr type, kj::StringPtr reason);
  // facets.abort() and delete(): calls in flight reject with `reason` (their events are dropped,
  // so their timers and I/O go with them), and the instance's storage refuses the code of this
  // run from now on: a restarted facet's database is not written by the one it replaces.

  kj::Maybe<kj::Own<loader::WorkerHandle>> worker;
  kj::Maybe<kj::Own<ObjectInstance>> instance;

 private:
  kj::Canceler canceler;  // Every call and request in flight into this run.
  kj::Own<kj::PromiseFulfiller<void>> fulfiller;
  kj::ForkedPromise<void> ready;
  bool settled = false;
  kj::Maybe<kj::String> failure;
};

class FacetSlot final : public kj::Refcounted {
 public:
  FacetSlot(kj::String name, unsigned n) : name(kj::mv(name)), n(n) {}
  kj::String name;
  unsigned n;
  uint64_t generation = 0;            // Bumped by abort(): older stubs are invalidated.
  kj::StringPtr abortType = "Error";  // A built-in error type's name (a literal).
  kj::String abortReason = kj::str("The facet was aborted.");
  kj::Maybe<kj::Own<FacetRun>> running;
  kj::Maybe<kj::Own<SqliteDatabase>> memoryDb;  // Only when the supervisor is in memory.
};

// Its member functions live in files by concept: object.c++ (construction, the database, sizes,
// eviction, self()), object-sql.c++ (the SQL and KV natives), object-alarms.c++, object-gate.c++
// (the input gate, reset()) and facets.c++ (the facet natives).
class ObjectInstance final : public worker::Worker::TargetProvider, public kj::Refcounted {
 public:
  explicit ObjectInstance(InstanceSpec spec) : spec(kj::mv(spec)) {}
  ~ObjectInstance() noexcept(false);

  kj::StringPtr getId() { return spec.id; }

  kj::Own<io::RevocationScope> receivedStubScope() override { return kj::addRef(*stubScope); }
  void endReceivedStubs() { stubScope->end(); }
  void breakWith(kj::StringPtr reason) {
    broken = kj::str(reason);
    ++alarmGeneration;  // Its alarm is the next instance's to deliver, not this one's.
    alarmScheduled = false;
  }
  // An aborted facet's instance: every use of its storage from now on throws `reason`.

  template <typename T>
  kj::Promise<T> wrapEvent(kj::Promise<T> promise) {
    return eventCanceler.wrap(kj::mv(promise));
  }
  // An event reached through a stub, ended by reset() (rejecting with its reason).

  v8::MaybeLocal<v8::Object> getTarget(v8::Local<v8::Context> context,
                                       worker::Worker& worker) override;

  kj::Maybe<SqliteDatabase&> getDatabase(v8::Isolate* isolate);
  kj::Maybe<SqliteDatabase&> openDatabase();

  // --- Alarms: the time lives in the object's own database, so it survives restarts. ---

  kj::Maybe<double> readAlarm();
  void writeAlarm(kj::Maybe<double> time);

  kj::Maybe<double> runningAlarm;  // The time of the alarm whose alarm() is running.

  kj::Maybe<kj::StringPtr> getIdName();

  void scheduleAlarm(double timeMs, unsigned retry);
  void restoreAlarm();
  // Schedules the alarm stored in the object's database, if it has one: at the daemon's start for
  // objects, at each start of a facet (after an abort, or once its supervisor asks for it again
  // after a restart). Creates nothing: an object without a database or an alarm stays as it is.
  kj::Promise<void> fireAlarm(double timeMs, unsigned retry);
  static void getAlarm(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void setAlarm(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void deleteAlarm(const v8::FunctionCallbackInfo<v8::Value>& info);

  size_t storageBytes();
  void reportSize();

  const InstanceSpec& getSpec() const { return spec; }

  // Idle eviction: an object with no event in flight, no facets, no alarm and an open gate can
  // be dropped; its next event constructs it again from its file.
  void eventStarted() { ++activeEvents; }
  void eventFinished() {
    --activeEvents;
    lastActive = js::frozenNowMillis();
  }
  bool isIdleSince(double cutoff) {
    return activeEvents == 0 && facets.size() == 0 && gateDepth == 0 && !alarmScheduled &&
           lastActive < cutoff;
  }
  void evict();

  kj::Promise<void> whenOpen();

  struct Admission {
    kj::Promise<void> turn;                       // When this event may enter JavaScript.
    kj::Own<kj::PromiseFulfiller<void>> started;  // Fulfill once it has (after dispatch).
  };
  Admission admit();

  static void gateClose(const v8::FunctionCallbackInfo<v8::Value>& info);

  static void reset(const v8::FunctionCallbackInfo<v8::Value>& info);
  // blockConcurrencyWhile() timed out: this instance is broken (its storage throws the reason,
  // events still queued at its gate are refused), its gate opens, and its namespace lets it go
  // so that the next event starts a new instance.

  kj::Maybe<kj::StringPtr> brokenReason() {
    return broken.map([](kj::String& s) -> kj::StringPtr { return s; });
  }

  static void gateOpen(const v8::FunctionCallbackInfo<v8::Value>& info);

 private:
  InstanceSpec spec;
  v8::Global<v8::Object> object;
  kj::Own<io::RevocationScope> stubScope = kj::refcounted<io::RevocationScope>(io::OBJECT_ENDED);
  kj::Maybe<kj::String> broken;  // breakWith()
  kj::Canceler eventCanceler;
  kj::Maybe<kj::Own<SqliteDatabase>> db;
  kj::String openError;
  uint64_t alarmGeneration = 0;
  kj::Maybe<kj::ForkedPromise<void>> gate;
  kj::Own<kj::PromiseFulfiller<void>> gateFulfiller;
  unsigned gateDepth = 0;
  kj::ForkedPromise<void> admissionTail = kj::Promise<void>(kj::READY_NOW).fork();
  unsigned activeEvents = 0;
  double lastActive = 0;
  bool alarmScheduled = false;
  class LogErrors final : public kj::TaskSet::ErrorHandler {
   public:
    void taskFailed(kj::Exception&& e) override {}
  };
  LogErrors alarmErrors;
  kj::TaskSet alarmTasks{alarmErrors};
  bool kvReady = false;
  kj::HashMap<kj::String, kj::Own<FacetSlot>> facets;
  kj::Maybe<kj::HashMap<kj::String, unsigned>> facetIndex;  // name -> n, from <prefix>.facets

  kj::Own<FacetSlot> getFacetSlot(kj::StringPtr name);
  unsigned facetNumber(kj::StringPtr name);
  static void facetGet(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void facetAbort(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void facetDelete(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void abortSlot(FacetSlot& slot, kj::StringPtr type, kj::String reason);

  static ObjectInstance* self(const v8::FunctionCallbackInfo<v8::Value>& info);

  // Runs SQL; on failure throws the SQLite message as a JS Error and returns null.
  kj::Maybe<SqlResult> run(v8::Isolate* isolate, kj::StringPtr sql,
                           kj::ArrayPtr<const SqlValue> bindings,
                           SqliteDatabase::Caller caller = SqliteDatabase::Caller::KILN);
  bool ensureKv(v8::Isolate* isolate);

  static void storageExec(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void kvGet(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void kvPut(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void kvDelete(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void kvList(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void tx(const v8::FunctionCallbackInfo<v8::Value>& info, kj::StringPtr verb);
  static void txBegin(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void txCommit(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void txRollback(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void storageSize(const v8::FunctionCallbackInfo<v8::Value>& info);
};

}  // namespace kiln::storage
