#include "src/storage/durable-objects.h"

#include "src/api/natives.h"
#include "src/js/platform.h"
#include "src/js/serializer.h"
#include "src/js/value.h"
#include "src/js/wrap.h"
#include "src/loader/loader.h"
#include "src/api/settle.h"
#include "src/util/metrics.h"

#include <kj/debug.h>
#include <kj/encoding.h>
#include <kj/io.h>
#include <openssl/hmac.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <dirent.h>
#include <cmath>
#include <fcntl.h>
#include <unistd.h>

namespace kiln::storage {

using js::newString;
using js::toKj;

namespace {

alignas(8) char STORAGE_TAG;
alignas(8) char NAMESPACE_TAG;
constexpr size_t ID_BYTES = 16;

kj::Array<kj::byte> hmac(kj::StringPtr key, kj::ArrayPtr<const kj::byte> data) {
  auto out = kj::heapArray<kj::byte>(32);
  unsigned len = 32;
  HMAC(EVP_sha256(), key.begin(), key.size(), data.begin(), data.size(), out.begin(), &len);
  return out;
}

class RefuseHostObjects final : public js::HostObjectHandler {
 public:
  ~RefuseHostObjects() noexcept override {}
  bool writeHostObject(v8::Local<v8::Object>, uint32_t&) override { return false; }
  v8::MaybeLocal<v8::Object> readHostObject(uint32_t) override { return {}; }
};

}  // namespace

struct InstanceSpec {
  kj::String className;
  kj::String id;
  kj::Maybe<kj::String> filePrefix;  // "<dir>/<uniqueKey>/<id>[.<n>...]"; null: in memory.
  unsigned depth;                    // 0 for a namespace's objects, 1+ for facets.
  kj::Function<kj::Maybe<worker::Worker&>()> getWorker;
  kj::Maybe<DurableObjectNamespace&> ns;               // For /metrics.
  kj::Maybe<kj::Own<loader::WorkerHandle>> keepAlive;  // A facet's dynamic worker.
  kj::Maybe<SqliteDatabase&> memoryDb;
  // An in-memory facet's database, owned by its FacetSlot so that it outlives an abort().
};

constexpr unsigned MAX_FACET_DEPTH = 4;
constexpr unsigned MAX_ALARM_RETRIES = 6;
constexpr double ALARM_BACKOFF_MS = 250;
constexpr size_t MAX_FACET_NAME = 256;

class FacetSlot;

class ObjectInstance final : public worker::Worker::TargetProvider {
 public:
  explicit ObjectInstance(InstanceSpec spec) : spec(kj::mv(spec)) {}
  ~ObjectInstance() noexcept(false);

  kj::StringPtr getId() { return spec.id; }

  v8::MaybeLocal<v8::Object> getTarget(v8::Local<v8::Context> context,
                                       worker::Worker& worker) override {
    auto isolate = context->GetIsolate();
    if (!object.IsEmpty())
      return object.Get(isolate);
    // First event for this object since it was (re)started: construct the instance.
    static const js::WrapRegistry::Method METHODS[] = {
        {"exec", &storageExec},  {"kvGet", &kvGet},           {"kvPut", &kvPut},
        {"kvDelete", &kvDelete}, {"kvList", &kvList},         {"txBegin", &txBegin},
        {"txCommit", &txCommit}, {"txRollback", &txRollback}, {"size", &storageSize},
        {"facetGet", &facetGet}, {"facetAbort", &facetAbort}, {"facetDelete", &facetDelete},
        {"getAlarm", &getAlarm}, {"setAlarm", &setAlarm},     {"deleteAlarm", &deleteAlarm},
        {"gateClose", &gateClose}, {"gateOpen", &gateOpen},
    };
    auto handle = js::wrapWithMethods(
        context,
        kj::Own<ObjectInstance*>(new ObjectInstance*(this),
                                 kj::_::HeapDisposer<ObjectInstance*>::instance),
        &STORAGE_TAG, METHODS);
    v8::Local<v8::Value> stateArgs[] = {newString(isolate, spec.id), handle};
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
                     nullptr, true);
      auto result =
          database->exec("SELECT value FROM _cf_METADATA WHERE key = 'alarm'", nullptr, true);
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
                     nullptr, true);
      KJ_IF_MAYBE (t, time) {
        SqlValue v;
        v.type = SqlValue::Type::REAL;
        v.real = *t;
        database->exec(
            "INSERT INTO _cf_METADATA VALUES ('alarm', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            kj::arrayPtr(&v, 1), true);
      } else {
        database->exec("DELETE FROM _cf_METADATA WHERE key = 'alarm'", nullptr, true);
      }
    }
  }

  void scheduleAlarm(double timeMs, unsigned retry) {
    KJ_IF_MAYBE (worker, spec.getWorker()) {
      uint64_t generation = ++alarmGeneration;
      double delay = kj::max(timeMs - js::frozenNowMillis(), 0.0);
      auto& timer = worker->getTimer();
      alarmTasks.add(timer.afterDelay(uint64_t(delay) * kj::MILLISECONDS)
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
      return worker
          ->handleJsonCall(nullptr, nullptr, kj::str("alarm"), kj::mv(info),
                           worker->getCallbackLimits(), *this)
          .then(
              [this, timeMs, generation](kj::String) {
                // Done, unless the handler set a new alarm meanwhile.
                if (generation == alarmGeneration) {
                  KJ_IF_MAYBE (current, readAlarm()) {
                    if (*current == timeMs)
                      writeAlarm(nullptr);
                  }
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
    KJ_IF_MAYBE (ns, spec.ns) {
      ns->reportSize();
    }
  }

  const InstanceSpec& getSpec() const { return spec; }

  kj::Promise<void> whenOpen() {
    // The input gate: while blockConcurrencyWhile() runs, new events to this object wait.
    KJ_IF_MAYBE(g, gate) { return g->addBranch(); }
    return kj::READY_NOW;
  }

  struct Admission {
    kj::Promise<void> turn;                        // When this event may enter JavaScript.
    kj::Own<kj::PromiseFulfiller<void>> started;   // Fulfill once it has (after dispatch).
  };
  Admission admit() {
    // Events enter one after another, each after the previous one's first JavaScript turn (in
    // which a constructor may have closed the gate), and only through an open gate.
    auto paf = kj::newPromiseAndFulfiller<void>();
    auto previous = kj::mv(admissionTail);
    admissionTail = paf.promise.fork();
    auto turn = previous.addBranch()
                    .catch_([](kj::Exception&&) {})
                    .then([this]() { return whenOpen(); });
    return Admission{kj::mv(turn), kj::mv(paf.fulfiller)};
  }

  static void gateClose(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr) return;
    if (s->gateDepth++ == 0) {
      auto paf = kj::newPromiseAndFulfiller<void>();
      s->gate = paf.promise.fork();
      s->gateFulfiller = kj::mv(paf.fulfiller);
    }
  }

  static void gateOpen(const v8::FunctionCallbackInfo<v8::Value>& info) {
    auto s = self(info);
    if (s == nullptr || s->gateDepth == 0) return;
    if (--s->gateDepth == 0) {
      s->gateFulfiller->fulfill();
      s->gate = nullptr;
    }
  }

 private:
  InstanceSpec spec;
  v8::Global<v8::Object> object;
  kj::Maybe<kj::Own<SqliteDatabase>> db;
  kj::String openError;
  uint64_t alarmGeneration = 0;
  kj::Maybe<kj::ForkedPromise<void>> gate;
  kj::Own<kj::PromiseFulfiller<void>> gateFulfiller;
  unsigned gateDepth = 0;
  kj::ForkedPromise<void> admissionTail = kj::Promise<void>(kj::READY_NOW).fork();
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

  static ObjectInstance* self(const v8::FunctionCallbackInfo<v8::Value>& info) {
    KJ_IF_MAYBE (ptr, js::unwrapThis<ObjectInstance*>(info, &STORAGE_TAG)) {
      return *ptr;
    }
    js::throwTypeError(info.GetIsolate(), "Illegal invocation");
    return nullptr;
  }

  // Runs SQL; on failure throws the SQLite message as a JS Error and returns null.
  kj::Maybe<SqlResult> run(v8::Isolate* isolate, kj::StringPtr sql,
                           kj::ArrayPtr<const SqlValue> bindings, bool internal = false) {
    KJ_IF_MAYBE (database, getDatabase(isolate)) {
      auto result = database->exec(sql, bindings, internal);
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
        auto buffer = v8::ArrayBuffer::New(isolate, v.blob.size());
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
    KJ_IF_MAYBE (result, s->run(isolate, sql, bindings)) {
      if (result->rowsWritten > 0)
        s->reportSize();
      auto out = v8::Object::New(isolate);
      auto columns = v8::Array::New(isolate, result->columns.size());
      for (uint32_t i = 0; i < result->columns.size(); i++) {
        columns->Set(context, i, newString(isolate, result->columns[i])).Check();
      }
      auto rows = v8::Array::New(isolate, result->rows.size());
      for (uint32_t r = 0; r < result->rows.size(); r++) {
        auto& row = result->rows[r];
        auto jsRow = v8::Array::New(isolate, row.size());
        for (uint32_t c = 0; c < row.size(); c++)
          jsRow->Set(context, c, toJs(context, row[c])).Check();
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
    KJ_IF_MAYBE (result, s->run(isolate, "SELECT value FROM _cf_KV WHERE key = ?",
                                kj::arrayPtr(&key, 1), true)) {
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
           kj::arrayPtr(params, 2), true);
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
                 s->run(isolate, "DELETE FROM _cf_KV WHERE key = ?", kj::arrayPtr(&key, 1), true)) {
      info.GetReturnValue().Set(result->rowsWritten > 0);
    }
  }

  // kvList(prefix, start, end, limit, reverse) -> [[key, value], ...]
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
    addText("key < ?", info[2]);
    auto sql =
        kj::str("SELECT key, value FROM _cf_KV",
                where.size() > 0 ? kj::str(" WHERE ", kj::strArray(where, " AND ")) : kj::str(),
                " ORDER BY key", info[4]->BooleanValue(isolate) ? " DESC" : "",
                info[3]->IsNumber() ? kj::str(" LIMIT ", info[3]->Uint32Value(context).FromMaybe(0))
                                    : kj::str());
    KJ_IF_MAYBE (result, s->run(isolate, sql, params, true)) {
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
    s->run(isolate, sql, nullptr, true);
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

  kj::Maybe<kj::Own<loader::WorkerHandle>> worker;
  kj::Maybe<kj::Own<ObjectInstance>> instance;

 private:
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
  uint64_t generation = 0;  // Bumped by abort(): older stubs are invalidated.
  kj::String abortReason = kj::str("The facet was aborted.");
  kj::Maybe<kj::Own<FacetRun>> running;
  kj::Maybe<kj::Own<SqliteDatabase>> memoryDb;  // Only when the supervisor is in memory.
};

namespace {

// A stub for a facet: valid until the facet is aborted.
class FacetCapability final : public api::Capability {
 public:
  FacetCapability(kj::Own<FacetSlot> slot, uint64_t generation, kj::Own<FacetRun> run)
      : slot(kj::mv(slot)), generation(generation), run(kj::mv(run)) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    KJ_IF_MAYBE (e, checkValid()) {
      return kj::mv(*e);
    }
    return run->whenReady().then(
        [this, method, url, &headers, &requestBody, &response]() -> kj::Promise<void> {
          KJ_IF_MAYBE (e, checkValid()) {
            return kj::mv(*e);
          }
          auto& worker = KJ_ASSERT_NONNULL(run->worker)->getWorker();
          // A facet's code is a dynamic worker's: its loader's limits apply.
          return worker.handleFetch(nullptr, nullptr, method, url, headers, requestBody, response,
                                    worker.getCallbackLimits(), worker::Worker::OnFailure::THROW,
                                    *KJ_ASSERT_NONNULL(run->instance));
        });
  }

  kj::Promise<api::CallResult> call(kj::String method, api::SerializedValue args) override {
    KJ_IF_MAYBE (e, checkValid()) {
      return kj::mv(*e);
    }
    return run->whenReady().then([this, method = kj::mv(method),
                                  args = kj::mv(args)]() mutable -> kj::Promise<api::CallResult> {
      KJ_IF_MAYBE (e, checkValid()) {
        return kj::mv(*e);
      }
      auto& worker = KJ_ASSERT_NONNULL(run->worker)->getWorker();
      return worker.handleCall(nullptr, nullptr, kj::mv(method), kj::mv(args),
                               worker.getCallbackLimits(), *KJ_ASSERT_NONNULL(run->instance));
    });
  }

 private:
  kj::Own<FacetSlot> slot;
  uint64_t generation;
  kj::Own<FacetRun> run;

  kj::Maybe<kj::Exception> checkValid() {
    if (slot->generation != generation)
      return api::userError("Error", slot->abortReason);
    return nullptr;
  }
};

}  // namespace

ObjectInstance::~ObjectInstance() noexcept(false) {
  // Facets first: they are other objects, possibly in other isolates.
  facets.clear();
  kj::Maybe<worker::Worker&> worker;
  KJ_IF_MAYBE (keep, spec.keepAlive) {
    if ((*keep)->isBroken()) {
      worker = nullptr;
    }
  }
  worker = spec.getWorker();
  KJ_IF_MAYBE (w, worker) {
    v8::Locker locker(w->getRuntime().getIsolate());
    object.Reset();
  }
}

unsigned ObjectInstance::facetNumber(kj::StringPtr name) {
  if (facetIndex == nullptr) {
    kj::HashMap<kj::String, unsigned> index;
    KJ_IF_MAYBE (prefix, spec.filePrefix) {
      // The index file: one "n<TAB>name" line per facet ever created.
      auto path = kj::str(*prefix, ".facets");
      int fd = open(path.cStr(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        kj::FdInputStream in((kj::AutoCloseFd(fd)));
        auto text = kj::heapString(in.readAllBytes().asChars());
        kj::StringPtr rest = text;
        while (rest.size() > 0) {
          auto end = rest.findFirst('\n').orDefault(rest.size());
          auto line = kj::heapString(rest.slice(0, end));
          rest = end < rest.size() ? rest.slice(end + 1) : kj::StringPtr("");
          KJ_IF_MAYBE (tab, line.findFirst('\t')) {
            index.upsert(
                kj::heapString(line.slice(*tab + 1)),
                unsigned(atoi(kj::heapString(line.slice(0, *tab)).cStr())),
                [](unsigned& existing, unsigned&& replacement) { existing = replacement; });
          }
        }
      }
    }
    facetIndex = kj::mv(index);
  }
  auto& index = KJ_ASSERT_NONNULL(facetIndex);
  KJ_IF_MAYBE (n, index.find(name)) {
    return *n;
  }
  unsigned n = index.size() + 1;
  index.insert(kj::str(name), n);
  KJ_IF_MAYBE (prefix, spec.filePrefix) {
    auto path = kj::str(*prefix, ".facets");
    KJ_IF_MAYBE (slash, prefix->findLast('/')) {
      mkdir(kj::heapString(prefix->slice(0, *slash)).cStr(), 0755);
    }
    int fd = open(path.cStr(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      auto line = kj::str(n, "\t", name, "\n");
      (void)!write(fd, line.begin(), line.size());
      fsync(fd);
      close(fd);
    }
  }
  return n;
}

kj::Own<FacetSlot> ObjectInstance::getFacetSlot(kj::StringPtr name) {
  KJ_IF_MAYBE (slot, facets.find(name)) {
    return kj::addRef(**slot);
  }
  auto slot = kj::refcounted<FacetSlot>(kj::str(name), facetNumber(name));
  auto result = kj::addRef(*slot);
  facets.insert(kj::str(name), kj::mv(slot));
  return result;
}

// facetGet(name, produce): a stub for the named facet, starting it (through produce(), which
// resolves to {class}) unless it is running.
void ObjectInstance::facetGet(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto name = toKj(isolate, info[0]);
  if (name.size() == 0 || name.size() > MAX_FACET_NAME) {
    js::throwTypeError(isolate,
                       kj::str("Facet names must be 1 to ", MAX_FACET_NAME, " bytes long."));
    return;
  }
  if (s->spec.depth + 1 > MAX_FACET_DEPTH) {
    js::throwError(isolate, js::ErrorType::RANGE_ERROR,
                   kj::str("Facets can be nested at most ", MAX_FACET_DEPTH, " deep."));
    return;
  }
  auto slot = s->getFacetSlot(name);
  KJ_IF_MAYBE (run, slot->running) {
    if (!(*run)->isBroken()) {
      auto cap =
          kj::refcounted<FacetCapability>(kj::addRef(*slot), slot->generation, kj::addRef(**run));
      info.GetReturnValue().Set(api::JsApi::from(context).newStub(context, kj::mv(cap)));
      return;
    }
  }
  auto& runtime = io::Runtime::from(context);
  io::IoContext* ioContext;
  KJ_IF_MAYBE (c, runtime.currentIoContext()) {
    ioContext = c;
  } else {
    api::disallowedOutsideRequest(isolate);
    return;
  }
  auto run = kj::refcounted<FacetRun>();
  slot->running = kj::addRef(*run);
  auto cap = kj::refcounted<FacetCapability>(kj::addRef(*slot), slot->generation, kj::addRef(*run));
  auto stub = api::JsApi::from(context).newStub(context, kj::mv(cap));

  v8::TryCatch tryCatch(isolate);
  v8::Local<v8::Value> produced;
  if (!info[1]
           .As<v8::Function>()
           ->Call(context, v8::Undefined(isolate), 0, nullptr)
           .ToLocal(&produced)) {
    if (!tryCatch.CanContinue()) {
      tryCatch.ReThrow();
      return;
    }
    run->fail(js::describeException(isolate, tryCatch.Exception()));
    info.GetReturnValue().Set(stub);
    return;
  }
  auto filePrefix =
      s->spec.filePrefix.map([&](kj::String& prefix) { return kj::str(prefix, ".", slot->n); });
  kj::Maybe<SqliteDatabase&> memoryDb;
  if (filePrefix == nullptr) {
    if (slot->memoryDb == nullptr) {
      auto opened = SqliteDatabase::open(":memory:");
      if (opened.is<kj::Own<SqliteDatabase>>()) {
        slot->memoryDb = kj::mv(opened.get<kj::Own<SqliteDatabase>>());
      }
    }
    KJ_IF_MAYBE (d, slot->memoryDb) {
      memoryDb = **d;
    }
  }
  auto childId = kj::str(s->spec.id);
  unsigned depth = s->spec.depth + 1;
  auto& runRef = *run;
  auto keep = kj::addRef(*run);
  ioContext->addTask(
      runtime.awaitJs(context, produced)
          .then([&runtime, ioContext, &runRef, filePrefix = kj::mv(filePrefix),
                 childId = kj::mv(childId), depth,
                 memoryDb](io::Settled&& settled) mutable -> kj::Promise<void> {
            kj::Maybe<loader::DurableObjectClassRef> classRef;
            runtime.run(*ioContext, [&](v8::Local<v8::Context> context) {
              auto isolate = context->GetIsolate();
              auto value = settled.value.Get(isolate);
              if (settled.rejected) {
                runRef.fail(js::describeException(isolate, value));
                return;
              }
              auto cls = value->IsObject()
                             ? js::getProperty(context, value.As<v8::Object>(), "class")
                             : v8::Undefined(isolate).As<v8::Value>();
              classRef = loader::unwrapDurableObjectClass(cls);
              if (classRef == nullptr) {
                runRef.fail(
                    "the callback must return {class}, with a class from "
                    "workerStub.getDurableObjectClass(name).");
              }
            });
            KJ_IF_MAYBE (ref, classRef) {
              auto handle = kj::mv(ref->worker);
              auto className = kj::str(ref->className);
              auto& handleRef = *handle;
              return handleRef.whenReady().then(
                  [&runRef, handle = kj::mv(handle), className = kj::mv(className),
                   filePrefix = kj::mv(filePrefix), childId = kj::mv(childId), depth,
                   memoryDb]() mutable {
                    auto& h = *handle;
                    auto instance = kj::heap<ObjectInstance>(
                        InstanceSpec{kj::mv(className), kj::mv(childId), kj::mv(filePrefix), depth,
                                     [&h]() -> kj::Maybe<worker::Worker&> { return h.getWorker(); },
                                     nullptr, kj::addRef(h), memoryDb});
                    runRef.start(kj::mv(handle), kj::mv(instance));
                  },
                  [&runRef](kj::Exception&& e) {
                    KJ_IF_MAYBE (user, api::parseUserError(e)) {
                      runRef.fail(kj::get<1>(*user));
                    } else {
                      runRef.fail("the facet's worker could not start");
                    }
                  });
            }
            return kj::READY_NOW;
          })
          .attach(kj::defer([keep = kj::mv(keep)]() mutable {
            keep->fail("the request that called facets.get() ended before the callback returned");
          })));
  info.GetReturnValue().Set(stub);
}

void ObjectInstance::facetAbort(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto name = toKj(isolate, info[0]);
  KJ_IF_MAYBE (slot, s->facets.find(name)) {
    auto reason = info[1];
    kj::String message;
    if (reason->IsObject()) {
      message = toKj(isolate, js::getProperty(context, reason.As<v8::Object>(), "message"));
    } else if (!reason->IsUndefined()) {
      message = toKj(isolate, reason);
    }
    (*slot)->generation++;
    (*slot)->abortReason = message.size() > 0 ? kj::mv(message) : kj::str("The facet was aborted.");
    // Stubs hold the run too; the instance (and its database) goes when the last one drops.
    (*slot)->running = nullptr;
  }
}

void ObjectInstance::facetDelete(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  auto isolate = info.GetIsolate();
  auto name = toKj(isolate, info[0]);
  facetAbort(info);
  KJ_IF_MAYBE (slot, s->facets.find(name)) {
    KJ_IF_MAYBE (prefix, s->spec.filePrefix) {
      auto base = kj::str(*prefix, ".", (*slot)->n);
      for (auto suffix: {".sqlite", ".sqlite-wal", ".sqlite-shm", ".facets"}) {
        unlink(kj::str(base, suffix).cStr());
      }
    }
    s->facets.erase(name);
  }
}

namespace {

// What a stub for one object calls: events go to the instance, in the class's worker.
class ObjectCapability final : public api::Capability {
 public:
  ObjectCapability(DurableObjectNamespace& ns, kj::String id) : ns(ns), id(kj::mv(id)) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    auto& instance = ns.getInstance(id);
    auto admission = instance.admit();
    return admission.turn.then([this, &instance, method, url, &headers, &requestBody, &response,
                                started = kj::mv(admission.started)]() mutable
                               -> kj::Promise<void> {
      KJ_IF_MAYBE (worker, ns.getWorker()) {
        auto result = worker->handleFetch(nullptr, nullptr, method, url, headers, requestBody,
                                          response, {}, worker::Worker::OnFailure::THROW,
                                          instance);
        started->fulfill();
        return result;
      }
      started->fulfill();
      return KJ_EXCEPTION(DISCONNECTED, "Durable Object's worker not started");
    });
  }

  kj::Promise<api::CallResult> call(kj::String method, api::SerializedValue args) override {
    auto& instance = ns.getInstance(id);
    auto admission = instance.admit();
    return admission.turn.then(
        [this, &instance, method = kj::mv(method), args = kj::mv(args),
         started = kj::mv(admission.started)]() mutable -> kj::Promise<api::CallResult> {
          KJ_IF_MAYBE (worker, ns.getWorker()) {
            auto result = worker->handleCall(nullptr, nullptr, kj::mv(method), kj::mv(args), {},
                                             instance);
            started->fulfill();
            return result;
          }
          started->fulfill();
          return KJ_EXCEPTION(DISCONNECTED, "Durable Object's worker not started");
        });
  }

 private:
  DurableObjectNamespace& ns;
  kj::String id;
};

DurableObjectNamespace& unwrapNamespace(const v8::FunctionCallbackInfo<v8::Value>& info) {
  return *KJ_ASSERT_NONNULL(js::unwrapThis<DurableObjectNamespace*>(info, &NAMESPACE_TAG));
}

void nsIdFromName(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  info.GetReturnValue().Set(
      newString(isolate, unwrapNamespace(info).idFromName(toKj(isolate, info[0]))));
}

void nsNewUniqueId(const v8::FunctionCallbackInfo<v8::Value>& info) {
  info.GetReturnValue().Set(newString(info.GetIsolate(), unwrapNamespace(info).newUniqueId()));
}

void nsIsValidId(const v8::FunctionCallbackInfo<v8::Value>& info) {
  info.GetReturnValue().Set(unwrapNamespace(info).isValidId(toKj(info.GetIsolate(), info[0])));
}

void nsGet(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto& ns = unwrapNamespace(info);
  auto id = toKj(isolate, info[0]);
  if (!ns.isValidId(id)) {
    js::throwTypeError(isolate, "Invalid Durable Object ID: not an ID of this namespace.");
    return;
  }
  info.GetReturnValue().Set(api::JsApi::from(context).newStub(context, ns.getStub(kj::mv(id))));
}

}  // namespace

DurableObjectNamespace::DurableObjectNamespace(NamespaceConfig config,
                                               kj::Function<kj::Maybe<worker::Worker&>()> getWorker)
    : config(kj::mv(config)), getWorkerFn(kj::mv(getWorker)) {}

DurableObjectNamespace::~DurableObjectNamespace() noexcept(false) {}

kj::String DurableObjectNamespace::finishId(kj::ArrayPtr<const kj::byte> idBytes) {
  auto mac = hmac(config.uniqueKey, idBytes);
  auto all = kj::heapArray<kj::byte>(ID_BYTES * 2);
  memcpy(all.begin(), idBytes.begin(), ID_BYTES);
  memcpy(all.begin() + ID_BYTES, mac.begin(), ID_BYTES);
  return kj::encodeHex(all);
}

kj::String DurableObjectNamespace::idFromName(kj::StringPtr name) {
  auto derived = hmac(config.uniqueKey, kj::str("name:", name).asBytes());
  derived[0] &= 0x7f;  // Name-derived ids have the top bit clear, unique ones set.
  return finishId(derived.slice(0, ID_BYTES));
}

kj::String DurableObjectNamespace::newUniqueId() {
  kj::byte bytes[ID_BYTES];
  KJ_ASSERT(getrandom(bytes, sizeof(bytes), 0) == sizeof(bytes));
  // The first byte's high bit marks unique (not name-derived) ids; names never collide with them.
  bytes[0] |= 0x80;
  return finishId(kj::arrayPtr(bytes, ID_BYTES));
}

bool DurableObjectNamespace::isValidId(kj::StringPtr id) {
  if (id.size() != ID_BYTES * 4)
    return false;
  auto decoded = kj::decodeHex(id.asArray());
  if (decoded.hadErrors || decoded.size() != ID_BYTES * 2)
    return false;
  auto expected = finishId(decoded.slice(0, ID_BYTES));
  // Constant-time comparison: a caller must not learn how much of a forged MAC was right.
  unsigned char diff = 0;
  for (size_t i = 0; i < expected.size(); i++)
    diff |= expected[i] ^ (id[i] | 0x20);
  return diff == 0;
}

kj::Own<api::Capability> DurableObjectNamespace::getStub(kj::String id) {
  return kj::refcounted<ObjectCapability>(*this, kj::mv(id));
}

ObjectInstance& DurableObjectNamespace::getInstance(kj::StringPtr id) {
  KJ_IF_MAYBE (instance, instances.find(id)) {
    return **instance;
  }
  auto instance = kj::heap<ObjectInstance>(InstanceSpec{
      kj::str(config.className), kj::str(id), config.directory.map([&](kj::String& dir) {
        return kj::str(dir, "/", config.uniqueKey, "/", id);
      }),
      0, [this]() { return getWorker(); }, *this, nullptr, nullptr});
  auto& ref = *instance;
  instances.insert(kj::str(id), kj::mv(instance));
  return ref;
}

void DurableObjectNamespace::restoreAlarms() {
  KJ_IF_MAYBE (dir, config.directory) {
    auto folder = kj::str(*dir, "/", config.uniqueKey);
    DIR* d = opendir(folder.cStr());
    if (d == nullptr)
      return;
    KJ_DEFER(closedir(d));
    while (auto entry = readdir(d)) {
      kj::StringPtr file = entry->d_name;
      // "<64 hex>.sqlite" only: facets' files carry more dots.
      if (file.size() != ID_BYTES * 4 + 7 || !file.endsWith(".sqlite"))
        continue;
      auto id = kj::heapString(file.slice(0, ID_BYTES * 4));
      if (!isValidId(id))
        continue;
      auto& instance = getInstance(id);
      KJ_IF_MAYBE (time, instance.readAlarm()) {
        instance.scheduleAlarm(*time, 0);
      }
    }
  }
}

void DurableObjectNamespace::reportSize() {
  metrics::setSqliteBytes(config.uniqueKey, storageBytes());
}

size_t DurableObjectNamespace::storageBytes() {
  size_t total = 0;
  for (auto& entry: instances)
    total += entry.value->storageBytes();
  return total;
}

worker::Binding newNamespaceBinding(kj::StringPtr name, DurableObjectNamespace& ns) {
  worker::Binding binding;
  binding.name = kj::str(name);
  binding.type = worker::Binding::Type::FACTORY;
  binding.factory = [&ns](v8::Local<v8::Context> context,
                          worker::Worker& worker) -> v8::Local<v8::Value> {
    static const js::WrapRegistry::Method METHODS[] = {
        {"idFromName", &nsIdFromName},
        {"newUniqueId", &nsNewUniqueId},
        {"isValidId", &nsIsValidId},
        {"get", &nsGet},
    };
    auto handle = js::wrapWithMethods(
        context,
        kj::Own<DurableObjectNamespace*>(new DurableObjectNamespace*(&ns),
                                         kj::_::HeapDisposer<DurableObjectNamespace*>::instance),
        &NAMESPACE_TAG, METHODS);
    v8::Local<v8::Value> args[] = {handle};
    v8::Local<v8::Value> result;
    KJ_ASSERT(
        worker.getApi().callInternal(context, "makeDurableObjectNamespace", args).ToLocal(&result));
    return result;
  };
  return binding;
}

}  // namespace kiln::storage
