// The live instance of one Durable Object (or facet): its JavaScript object, its SQLite
// database, its alarms and input gate, and the natives behind ctx.storage and ctx.facets.
// Internal to src/storage.
#pragma once

#include "src/api/settle.h"
#include "src/js/platform.h"
#include "src/js/serializer.h"
#include "src/js/value.h"
#include "src/js/wrap.h"
#include "src/loader/loader.h"
#include "src/storage/durable-objects.h"
#include "src/util/metrics.h"

#include <kj/debug.h>
#include <cmath>
#include <sys/stat.h>

namespace kiln::storage {

using js::newString;
using js::toKj;

alignas(8) inline char STORAGE_TAG;

class RefuseHostObjects final : public js::HostObjectHandler {
 public:
  ~RefuseHostObjects() noexcept override {}
  bool writeHostObject(v8::Local<v8::Object>, uint32_t&) override { return false; }
  v8::MaybeLocal<v8::Object> readHostObject(uint32_t) override { return {}; }
};

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

class ObjectInstance final : public worker::Worker::TargetProvider, public kj::Refcounted {
 public:
  explicit ObjectInstance(InstanceSpec spec) : spec(kj::mv(spec)) {}
  ~ObjectInstance() noexcept(false);

  kj::StringPtr getId() { return spec.id; }

  kj::Own<io::RevocationScope> receivedStubScope() override { return kj::addRef(*stubScope); }
  void endReceivedStubs() { stubScope->end(); }
  void breakWith(kj::StringPtr reason) { broken = kj::str(reason); }
  // An aborted facet's instance: every use of its storage from now on throws `reason`.

  template <typename T>
  kj::Promise<T> wrapEvent(kj::Promise<T> promise) {
    return eventCanceler.wrap(kj::mv(promise));
  }
  // An event reached through a stub, ended by reset() (rejecting with its reason).

  v8::MaybeLocal<v8::Object> getTarget(v8::Local<v8::Context> context,
                                       worker::Worker& worker) override {
    auto isolate = context->GetIsolate();
    if (!object.IsEmpty())
      return object.Get(isolate);
    // First event for this object since it was (re)started: construct the instance.
    static const js::WrapRegistry::Method METHODS[] = {
        {"exec", &storageExec},    {"kvGet", &kvGet},           {"kvPut", &kvPut},
        {"kvDelete", &kvDelete},   {"kvList", &kvList},         {"txBegin", &txBegin},
        {"txCommit", &txCommit},   {"txRollback", &txRollback}, {"size", &storageSize},
        {"facetGet", &facetGet},   {"facetAbort", &facetAbort}, {"facetDelete", &facetDelete},
        {"getAlarm", &getAlarm},   {"setAlarm", &setAlarm},     {"deleteAlarm", &deleteAlarm},
        {"gateClose", &gateClose}, {"gateOpen", &gateOpen},     {"reset", &reset},
    };
    // The handle holds a reference: JS may keep it after the object is evicted.
    auto handle = js::wrapWithMethods(context, kj::addRef(*this), &STORAGE_TAG, METHODS);
    v8::Local<v8::Value> name = v8::Undefined(isolate);
    KJ_IF_MAYBE (n, getIdName()) {
      name = newString(isolate, *n);
    }
    v8::Local<v8::Value> props = v8::Undefined(isolate);
    KJ_IF_MAYBE (json, spec.propsJson) {
      // Serialized by the supervisor when it made the stub: only a lack of memory fails it.
      if (!v8::JSON::Parse(context, newString(isolate, *json)).ToLocal(&props))
        return {};
    }
    v8::Local<v8::Value> stateArgs[] = {newString(isolate, spec.id), handle,
                                        worker.getCtxExports(isolate), name, props};
    v8::Local<v8::Value> state;
    if (!worker.getApi()
             .callInternal(context, "newDurableObjectState", stateArgs)
             .ToLocal(&state)) {
      return {};
    }
    v8::Local<v8::Value> ctorArgs[] = {state, worker.getEnv(isolate)};
    v8::Local<v8::Object> instance;
    if (!worker.constructExport(context, spec.className, ctorArgs).ToLocal(&instance)) {
      return {};
    }
    object.Reset(isolate, instance);
    return instance;
  }

  kj::Maybe<SqliteDatabase&> getDatabase(v8::Isolate* isolate) {
    KJ_IF_MAYBE (d, openDatabase()) {
      return *d;
    }
    js::throwError(isolate, js::ErrorType::ERROR,
                   kj::str("Durable Object storage could not be opened: ", openError));
    return nullptr;
  }

  kj::Maybe<SqliteDatabase&> openDatabase() {
    KJ_IF_MAYBE (d, db) {
      return **d;
    }
    KJ_IF_MAYBE (shared, spec.memoryDb) {
      return *shared;
    }
    kj::String path;
    KJ_IF_MAYBE (prefix, spec.filePrefix) {
      KJ_IF_MAYBE (slash, prefix->findLast('/')) {
        mkdir(kj::heapString(prefix->slice(0, *slash)).cStr(), 0755);
      }
      path = kj::str(*prefix, ".sqlite");
    } else {
      path = kj::str(":memory:");
    }
    auto opened = SqliteDatabase::open(path);
    if (opened.is<kj::String>()) {
      openError = kj::mv(opened.get<kj::String>());
      return nullptr;
    }
    db = kj::mv(opened.get<kj::Own<SqliteDatabase>>());
    return *KJ_ASSERT_NONNULL(db);
  }

  // --- Alarms: the time lives in the object's own database, so it survives restarts. ---

  kj::Maybe<double> readAlarm() {
    KJ_IF_MAYBE (database, openDatabase()) {
      database->exec("CREATE TABLE IF NOT EXISTS _cf_METADATA (key TEXT PRIMARY KEY, value)",
                     nullptr, SqliteDatabase::Caller::KILN);
      auto result = database->exec("SELECT value FROM _cf_METADATA WHERE key = 'alarm'", nullptr,
                                   SqliteDatabase::Caller::KILN);
      if (result.is<SqlResult>() && result.get<SqlResult>().rows.size() == 1) {
        auto& v = result.get<SqlResult>().rows[0][0];
        return v.type == SqlValue::Type::REAL ? v.real : double(v.integer);
      }
    }
    return nullptr;
  }

  void writeAlarm(kj::Maybe<double> time) {
    KJ_IF_MAYBE (database, openDatabase()) {
      database->exec("CREATE TABLE IF NOT EXISTS _cf_METADATA (key TEXT PRIMARY KEY, value)",
                     nullptr, SqliteDatabase::Caller::KILN);
      KJ_IF_MAYBE (t, time) {
        SqlValue v;
        v.type = SqlValue::Type::REAL;
        v.real = *t;
        database->exec(
            "INSERT INTO _cf_METADATA VALUES ('alarm', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            kj::arrayPtr(&v, 1), SqliteDatabase::Caller::KILN);
      } else {
        database->exec("DELETE FROM _cf_METADATA WHERE key = 'alarm'", nullptr,
                       SqliteDatabase::Caller::KILN);
      }
    }
  }

  kj::Maybe<double> runningAlarm;  // The time of the alarm whose alarm() is running.

  kj::Maybe<kj::StringPtr> getIdName() {
    KJ_IF_MAYBE (n, spec.idName) {
      return kj::StringPtr(*n);
    }
    KJ_IF_MAYBE (ns, spec.ns) {
      return ns->nameOf(spec.id);
    }
    return nullptr;
  }

  void scheduleAlarm(double timeMs, unsigned retry) {
    KJ_IF_MAYBE (worker, spec.getWorker()) {
      alarmScheduled = true;
      uint64_t generation = ++alarmGeneration;
      // JS timers' clock: the frozen wall time and the monotonic instant taken with it, so the
      // alarm fires at or after its time in what Date.now() will say (rounded up, never early).
      double delay = kj::max(timeMs - js::frozenNowMillis(), 0.0);
      auto& timer = worker->getTimer();
      alarmTasks.add(timer.atTime(js::frozenMonotonic() + uint64_t(ceil(delay)) * kj::MILLISECONDS)
                         .then([this, generation, timeMs, retry]() -> kj::Promise<void> {
                           if (generation != alarmGeneration)
                             return kj::READY_NOW;
                           return fireAlarm(timeMs, retry);
                         }));
    }
  }

  kj::Promise<void> fireAlarm(double timeMs, unsigned retry) {
    KJ_IF_MAYBE (worker, spec.getWorker()) {
      auto info =
          kj::str("[{\"retryCount\":", retry, ",\"isRetry\":", retry > 0 ? "true" : "false", "}]");
      uint64_t generation = alarmGeneration;
      auto& w = *worker;
      // Alarms enter through the input gate like any other event.
      auto admission = admit();
      return admission.turn
          .then([this, &w, timeMs, info = kj::mv(info),
                 started = kj::mv(admission.started)]() mutable -> kj::Promise<kj::String> {
            eventStarted();
            runningAlarm = timeMs;
            auto result = w.handleJsonCall(nullptr, nullptr, kj::str("alarm"), kj::mv(info),
                                           w.getCallbackLimits(), *this)
                              .attach(kj::defer([this]() {
                                runningAlarm = nullptr;
                                eventFinished();
                              }));
            started->fulfill();
            return result;
          })
          .then(
              [this, timeMs, generation](kj::String) {
                // Done, unless the handler set a new alarm meanwhile.
                if (generation == alarmGeneration) {
                  KJ_IF_MAYBE (current, readAlarm()) {
                    if (*current == timeMs)
                      writeAlarm(nullptr);
                  }
                  alarmScheduled = readAlarm() != nullptr;
                }
              },
              [this, timeMs, retry, generation](kj::Exception&& e) {
                if (generation != alarmGeneration)
                  return;
                if (retry + 1 < MAX_ALARM_RETRIES) {
                  // Exponential backoff from ALARM_BACKOFF_MS; the alarm stays stored meanwhile.
                  scheduleAlarm(js::frozenNowMillis() + ALARM_BACKOFF_MS * (1u << retry),
                                retry + 1);
                } else {
                  writeAlarm(nullptr);
                  alarmScheduled = false;
                }
              });
    }
    return kj::READY_NOW;
  }

  static void getAlarm(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr)
      return;
    KJ_IF_MAYBE (t, s->readAlarm()) {
      // The alarm being delivered is not pending any more (unless alarm() sets it again).
      KJ_IF_MAYBE (running, s->runningAlarm) {
        if (*running == *t) {
          info.GetReturnValue().SetNull();
          return;
        }
      }
      info.GetReturnValue().Set(*t);
    } else {
      info.GetReturnValue().SetNull();
    }
  }

  static void setAlarm(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr)
      return;
    auto isolate = info.GetIsolate();
    double time = info[0]->NumberValue(isolate->GetCurrentContext()).FromMaybe(NAN);
    if (!(time == time)) {
      js::throwTypeError(isolate, "setAlarm() takes a Date or milliseconds since the epoch.");
      return;
    }
    s->writeAlarm(time);
    s->scheduleAlarm(time, 0);
  }

  static void deleteAlarm(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr)
      return;
    ++s->alarmGeneration;
    s->alarmScheduled = false;
    s->writeAlarm(nullptr);
  }

  size_t storageBytes() {
    KJ_IF_MAYBE (d, db) {
      return (*d)->sizeBytes();
    }
    KJ_IF_MAYBE (shared, spec.memoryDb) {
      return shared->sizeBytes();
    }
    return 0;
  }

  void reportSize() {
    // Only this object's size is read (two PRAGMAs): a write costs the same however many
    // objects are live. The namespace keeps the running total for /metrics.
    KJ_IF_MAYBE (ns, spec.ns) {
      KJ_IF_MAYBE (prefix, spec.filePrefix) {
        ns->recordSize(*prefix, storageBytes());
      } else {
        ns->recordSize(kj::str("memory:", spec.id, ":", spec.depth), storageBytes());
      }
    }
  }

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
  void evict() {
    KJ_IF_MAYBE (worker, spec.getWorker()) {
      v8::Locker locker(worker->getRuntime().getIsolate());
      object.Reset();
    }
    db = nullptr;
  }

  kj::Promise<void> whenOpen() {
    // The input gate: while blockConcurrencyWhile() runs, new events to this object wait.
    KJ_IF_MAYBE (g, gate) {
      return g->addBranch();
    }
    return kj::READY_NOW;
  }

  struct Admission {
    kj::Promise<void> turn;                       // When this event may enter JavaScript.
    kj::Own<kj::PromiseFulfiller<void>> started;  // Fulfill once it has (after dispatch).
  };
  Admission admit() {
    // Events enter one after another, each after the previous one's first JavaScript turn (in
    // which a constructor may have closed the gate), and only through an open gate.
    auto paf = kj::newPromiseAndFulfiller<void>();
    auto previous = kj::mv(admissionTail);
    admissionTail = paf.promise.fork();
    auto turn =
        previous.addBranch().catch_([](kj::Exception&&) {}).then([this]() { return whenOpen(); });
    return Admission{kj::mv(turn), kj::mv(paf.fulfiller)};
  }

  static void gateClose(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr)
      return;
    if (s->gateDepth++ == 0) {
      auto paf = kj::newPromiseAndFulfiller<void>();
      s->gate = paf.promise.fork();
      s->gateFulfiller = kj::mv(paf.fulfiller);
    }
  }

  static void reset(const v8::FunctionCallbackInfo<v8::Value>& info);
  // blockConcurrencyWhile() timed out: this instance is broken (its storage throws the reason,
  // events still queued at its gate are refused), its gate opens, and its namespace lets it go
  // so that the next event starts a new instance.

  kj::Maybe<kj::StringPtr> brokenReason() {
    return broken.map([](kj::String& s) -> kj::StringPtr { return s; });
  }

  static void gateOpen(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr || s->gateDepth == 0)
      return;
    if (--s->gateDepth == 0) {
      s->gateFulfiller->fulfill();
      s->gate = nullptr;
    }
  }

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

  static ObjectInstance* self(const v8::FunctionCallbackInfo<v8::Value>& info) {
    KJ_IF_MAYBE (ptr, js::unwrapThis<ObjectInstance>(info, &STORAGE_TAG)) {
      KJ_IF_MAYBE (reason, ptr->broken) {
        js::throwError(info.GetIsolate(), js::ErrorType::ERROR, *reason);
        return nullptr;
      }
      return ptr;
    }
    js::throwTypeError(info.GetIsolate(), "Illegal invocation");
    return nullptr;
  }

  // Runs SQL; on failure throws the SQLite message as a JS Error and returns null.
  kj::Maybe<SqlResult> run(v8::Isolate* isolate, kj::StringPtr sql,
                           kj::ArrayPtr<const SqlValue> bindings,
                           SqliteDatabase::Caller caller = SqliteDatabase::Caller::KILN) {
    KJ_IF_MAYBE (database, getDatabase(isolate)) {
      auto result = database->exec(sql, bindings, caller);
      if (result.is<kj::String>()) {
        js::throwError(isolate, js::ErrorType::ERROR, result.get<kj::String>());
        return nullptr;
      }
      return kj::mv(result.get<SqlResult>());
    }
    return nullptr;
  }

  bool ensureKv(v8::Isolate* isolate) {
    if (kvReady)
      return true;
    KJ_IF_MAYBE (r, run(isolate,
                        "CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, "
                        "value BLOB) WITHOUT ROWID",
                        nullptr)) {
      kvReady = true;
      return true;
    }
    return false;
  }

  static v8::Local<v8::Value> toJs(v8::Local<v8::Context> context, const SqlValue& v) {
    auto isolate = context->GetIsolate();
    switch (v.type) {
      case SqlValue::Type::NULL_VALUE:
        return v8::Null(isolate);
      case SqlValue::Type::INTEGER:
        return v8::Number::New(isolate, double(v.integer));
      case SqlValue::Type::REAL:
        return v8::Number::New(isolate, v.real);
      case SqlValue::Type::TEXT:
        return newString(isolate, v.text);
      case SqlValue::Type::BLOB: {
        v8::Local<v8::ArrayBuffer> buffer;
        if (!js::newArrayBuffer(isolate, v.blob.size()).ToLocal(&buffer))
          return v8::Null(isolate);  // A RangeError is pending; the caller sees it.
        if (v.blob.size() > 0)
          memcpy(buffer->Data(), v.blob.begin(), v.blob.size());
        return buffer;
      }
    }
    KJ_UNREACHABLE;
  }

  static bool fromJs(v8::Local<v8::Context> context, v8::Local<v8::Value> value, SqlValue& out) {
    auto isolate = context->GetIsolate();
    if (value->IsNull() || value->IsUndefined()) {
      out.type = SqlValue::Type::NULL_VALUE;
    } else if (value->IsNumber()) {
      double d = value.As<v8::Number>()->Value();
      if (d == double(int64_t(d)) && std::abs(d) < 9007199254740992.0) {
        out.type = SqlValue::Type::INTEGER;
        out.integer = int64_t(d);
      } else {
        out.type = SqlValue::Type::REAL;
        out.real = d;
      }
    } else if (value->IsBigInt()) {
      out.type = SqlValue::Type::INTEGER;
      out.integer = value.As<v8::BigInt>()->Int64Value();
    } else if (value->IsBoolean()) {
      out.type = SqlValue::Type::INTEGER;
      out.integer = value->BooleanValue(isolate) ? 1 : 0;
    } else if (value->IsString()) {
      out.type = SqlValue::Type::TEXT;
      out.text = toKj(isolate, value);
    } else KJ_IF_MAYBE (bytes, js::viewBytes(value)) {
      out.type = SqlValue::Type::BLOB;
      out.blob = kj::heapArray<kj::byte>(*bytes);
    } else {
      js::throwTypeError(isolate,
                         "SQL bindings must be strings, numbers, bigints, booleans, "
                         "null or ArrayBuffers.");
      return false;
    }
    return true;
  }

  static void storageExec(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr)
      return;
    auto isolate = info.GetIsolate();
    auto context = isolate->GetCurrentContext();
    auto sql = toKj(isolate, info[0]);
    kj::Vector<SqlValue> bindings;
    if (info[1]->IsArray()) {
      auto list = info[1].As<v8::Array>();
      for (uint32_t i = 0; i < list->Length(); i++) {
        SqlValue v;
        if (!fromJs(context, list->Get(context, i).ToLocalChecked(), v))
          return;
        bindings.add(kj::mv(v));
      }
    }
    KJ_IF_MAYBE (result, s->run(isolate, sql, bindings, SqliteDatabase::Caller::USER)) {
      if (result->rowsWritten > 0)
        s->reportSize();
      auto out = v8::Object::New(isolate);
      auto columns = v8::Array::New(isolate, result->columns.size());
      for (uint32_t i = 0; i < result->columns.size(); i++) {
        columns->Set(context, i, newString(isolate, result->columns[i])).Check();
      }
      auto rows = v8::Array::New(isolate, result->rows.size());
      v8::TryCatch tryCatch(isolate);
      for (uint32_t r = 0; r < result->rows.size(); r++) {
        auto& row = result->rows[r];
        auto jsRow = v8::Array::New(isolate, row.size());
        for (uint32_t c = 0; c < row.size(); c++) {
          auto value = toJs(context, row[c]);
          if (tryCatch.HasCaught()) {
            tryCatch.ReThrow();  // Out of ArrayBuffer memory for a blob.
            return;
          }
          jsRow->Set(context, c, value).Check();
        }
        rows->Set(context, r, jsRow).Check();
      }
      out->Set(context, newString(isolate, "columns"), columns).Check();
      out->Set(context, newString(isolate, "rows"), rows).Check();
      out->Set(context, newString(isolate, "rowsRead"),
               v8::Number::New(isolate, double(result->rowsRead)))
          .Check();
      out->Set(context, newString(isolate, "rowsWritten"),
               v8::Number::New(isolate, double(result->rowsWritten)))
          .Check();
      info.GetReturnValue().Set(out);
    }
  }

  static void kvGet(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr || !s->ensureKv(info.GetIsolate()))
      return;
    auto isolate = info.GetIsolate();
    auto context = isolate->GetCurrentContext();
    SqlValue key;
    key.type = SqlValue::Type::TEXT;
    key.text = toKj(isolate, info[0]);
    KJ_IF_MAYBE (result,
                 s->run(isolate, "SELECT value FROM _cf_KV WHERE key = ?", kj::arrayPtr(&key, 1))) {
      if (result->rows.size() == 0)
        return;  // undefined
      auto& blob = result->rows[0][0].blob;
      RefuseHostObjects handler;
      v8::Local<v8::Value> value;
      if (js::deserializeValue(context, blob.begin(), blob.size(), handler).ToLocal(&value)) {
        info.GetReturnValue().Set(value);
      }
    }
  }

  static void kvPut(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr || !s->ensureKv(info.GetIsolate()))
      return;
    auto isolate = info.GetIsolate();
    auto context = isolate->GetCurrentContext();
    RefuseHostObjects handler;
    std::vector<uint8_t> bytes;
    if (!js::serializeValue(context, info[1], handler, bytes))
      return;
    SqlValue params[2];
    params[0].type = SqlValue::Type::TEXT;
    params[0].text = toKj(isolate, info[0]);
    params[1].type = SqlValue::Type::BLOB;
    params[1].blob = kj::heapArray<kj::byte>(bytes.data(), bytes.size());
    s->run(isolate,
           "INSERT INTO _cf_KV (key, value) VALUES (?, ?) "
           "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
           kj::arrayPtr(params, 2));
    s->reportSize();
  }

  static void kvDelete(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr || !s->ensureKv(info.GetIsolate()))
      return;
    auto isolate = info.GetIsolate();
    SqlValue key;
    key.type = SqlValue::Type::TEXT;
    key.text = toKj(isolate, info[0]);
    KJ_IF_MAYBE (result,
                 s->run(isolate, "DELETE FROM _cf_KV WHERE key = ?", kj::arrayPtr(&key, 1))) {
      info.GetReturnValue().Set(result->rowsWritten > 0);
    }
  }

  // kvList(prefix, start, end, limit, reverse, startAfter) -> [[key, value], ...]
  static void kvList(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr || !s->ensureKv(info.GetIsolate()))
      return;
    auto isolate = info.GetIsolate();
    auto context = isolate->GetCurrentContext();
    kj::Vector<kj::String> where;
    kj::Vector<SqlValue> params;
    auto addText = [&](kj::StringPtr clause, v8::Local<v8::Value> value) {
      if (!value->IsString())
        return;
      where.add(kj::str(clause));
      SqlValue v;
      v.type = SqlValue::Type::TEXT;
      v.text = toKj(isolate, value);
      params.add(kj::mv(v));
    };
    if (info[0]->IsString()) {
      // Prefix as a range, so that LIKE wildcards in keys mean nothing.
      where.add(kj::str("substr(key, 1, length(?)) = ?"));
      for (int i = 0; i < 2; i++) {
        SqlValue v;
        v.type = SqlValue::Type::TEXT;
        v.text = toKj(isolate, info[0]);
        params.add(kj::mv(v));
      }
    }
    addText("key >= ?", info[1]);
    addText("key > ?", info[5]);  // startAfter: exclusive
    addText("key < ?", info[2]);
    auto sql =
        kj::str("SELECT key, value FROM _cf_KV",
                where.size() > 0 ? kj::str(" WHERE ", kj::strArray(where, " AND ")) : kj::str(),
                " ORDER BY key", info[4]->BooleanValue(isolate) ? " DESC" : "",
                info[3]->IsNumber() ? kj::str(" LIMIT ", info[3]->Uint32Value(context).FromMaybe(0))
                                    : kj::str());
    KJ_IF_MAYBE (result, s->run(isolate, sql, params)) {
      auto out = v8::Array::New(isolate, result->rows.size());
      for (uint32_t i = 0; i < result->rows.size(); i++) {
        auto& blob = result->rows[i][1].blob;
        RefuseHostObjects handler;
        v8::Local<v8::Value> value;
        if (!js::deserializeValue(context, blob.begin(), blob.size(), handler).ToLocal(&value)) {
          return;
        }
        auto pair = v8::Array::New(isolate, 2);
        pair->Set(context, 0, newString(isolate, result->rows[i][0].text)).Check();
        pair->Set(context, 1, value).Check();
        out->Set(context, i, pair).Check();
      }
      info.GetReturnValue().Set(out);
    }
  }

  static void tx(const v8::FunctionCallbackInfo<v8::Value>& info, kj::StringPtr verb) {
    auto s = self(info);
    if (s == nullptr)
      return;
    auto isolate = info.GetIsolate();
    auto name =
        kj::str("_kiln_tx_", info[0]->Uint32Value(isolate->GetCurrentContext()).FromMaybe(0));
    auto sql = verb == "begin"    ? kj::str("SAVEPOINT ", name)
               : verb == "commit" ? kj::str("RELEASE ", name)
                                  : kj::str("ROLLBACK TO ", name, "; RELEASE ", name);
    s->run(isolate, sql, nullptr, SqliteDatabase::Caller::KILN);
    // A rollback may have undone the creation of the KV table.
    if (verb == "rollback")
      s->kvReady = false;
  }
  static void txBegin(const v8::FunctionCallbackInfo<v8::Value>& info) { tx(info, "begin"); }
  static void txCommit(const v8::FunctionCallbackInfo<v8::Value>& info) { tx(info, "commit"); }
  static void txRollback(const v8::FunctionCallbackInfo<v8::Value>& info) { tx(info, "rollback"); }

  static void storageSize(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr)
      return;
    KJ_IF_MAYBE (database, s->getDatabase(info.GetIsolate())) {
      info.GetReturnValue().Set(double(database->sizeBytes()));
    }
  }
};

}  // namespace kiln::storage
