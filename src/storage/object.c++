// ObjectInstance's life: constructing the JavaScript object, opening its database, its size,
// idle eviction and the receiver check shared by the storage natives.

#include "src/storage/object.h"

#include <sys/stat.h>

namespace kiln::storage {

namespace {

alignas(8) char STORAGE_TAG;

}  // namespace

ObjectInstance::~ObjectInstance() noexcept(false) {
  // What the object's events received ends with it, even if its isolate lives on (a facet's
  // dynamic worker, a configured worker's module state).
  stubScope->end();
  // Facets first: they are other objects, possibly in other isolates.
  facets.clear();
  // A facet's worker is kept alive by spec.keepAlive, so its isolate is still there.
  KJ_IF_MAYBE (w, spec.getWorker()) {
    v8::Locker locker(w->getRuntime().getIsolate());
    object.Reset();
  }
}

v8::MaybeLocal<v8::Object> ObjectInstance::getTarget(v8::Local<v8::Context> context,
                                                     worker::Worker& worker) {
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
  if (!worker.getApi().callInternal(context, "newDurableObjectState", stateArgs).ToLocal(&state)) {
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

kj::Maybe<kj::StringPtr> ObjectInstance::getIdName() {
  KJ_IF_MAYBE (n, spec.idName) {
    return kj::StringPtr(*n);
  }
  KJ_IF_MAYBE (ns, spec.ns) {
    return ns->nameOf(spec.id);
  }
  return nullptr;
}

kj::Maybe<SqliteDatabase&> ObjectInstance::getDatabase(v8::Isolate* isolate) {
  KJ_IF_MAYBE (d, openDatabase()) {
    return *d;
  }
  js::throwError(isolate, js::ErrorType::ERROR,
                 kj::str("Durable Object storage could not be opened: ", openError));
  return nullptr;
}

kj::Maybe<SqliteDatabase&> ObjectInstance::openDatabase() {
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

size_t ObjectInstance::storageBytes() {
  KJ_IF_MAYBE (d, db) {
    return (*d)->sizeBytes();
  }
  KJ_IF_MAYBE (shared, spec.memoryDb) {
    return shared->sizeBytes();
  }
  return 0;
}

void ObjectInstance::reportSize() {
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

void ObjectInstance::storageSize(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  KJ_IF_MAYBE (database, s->getDatabase(info.GetIsolate())) {
    info.GetReturnValue().Set(double(database->sizeBytes()));
  }
}

void ObjectInstance::evict() {
  KJ_IF_MAYBE (worker, spec.getWorker()) {
    v8::Locker locker(worker->getRuntime().getIsolate());
    object.Reset();
  }
  db = nullptr;
}

ObjectInstance* ObjectInstance::self(const v8::FunctionCallbackInfo<v8::Value>& info) {
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

}  // namespace kiln::storage
