// Durable Object facets: child objects of a supervisor, running a dynamic worker's class, each
// with a database of its own (<id>.<n>.sqlite, names mapped to n in <id>.facets).

#include "src/storage/object.h"

#include <kj/io.h>
#include <fcntl.h>
#include <unistd.h>

namespace kiln::storage {

namespace {

// A stub for a facet: valid until the facet is aborted.
class FacetCapability final : public api::Capability {
 public:
  FacetCapability(kj::Own<FacetSlot> slot, uint64_t generation, kj::Own<FacetRun> run)
      : slot(kj::mv(slot)), generation(generation), run(kj::mv(run)) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    // Ended by facets.abort() however far it got (waiting to start, admitted, running).
    return run->wrap(requestNow(method, url, headers, requestBody, response));
  }

  kj::Promise<api::CallResult> call(kj::String method, api::SerializedValue args) override {
    return run->wrap(callNow(kj::mv(method), kj::mv(args)));
  }

 private:
  kj::Own<FacetSlot> slot;
  uint64_t generation;
  kj::Own<FacetRun> run;

  kj::Promise<void> requestNow(kj::HttpMethod method, kj::StringPtr url,
                               const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                               Response& response) {
    KJ_IF_MAYBE (e, checkValid()) {
      return kj::mv(*e);
    }
    return run->whenReady().then([this, method, url, &headers, &requestBody, &response,
                                  depth = io::CallerDepth::current()]() -> kj::Promise<void> {
      KJ_IF_MAYBE (e, checkValid()) {
        return kj::mv(*e);
      }
      auto& worker = KJ_ASSERT_NONNULL(run->worker)->getWorker();
      auto& instance = *KJ_ASSERT_NONNULL(run->instance);
      // Through the facet's own input gate, like any object's events.
      auto admission = instance.admit();
      return admission.turn.then(
          [this, &worker, &instance, method, url, &headers, &requestBody, &response, depth,
           started = kj::mv(admission.started)]() mutable -> kj::Promise<void> {
            KJ_IF_MAYBE (e, checkValid()) {
              started->fulfill();
              return kj::mv(*e);
            }
            instance.eventStarted();
            io::CallerDepth caller(depth);  // Admitted later than it was made.
            // A facet's code is a dynamic worker's: its loader's limits apply.
            auto result = worker
                              .handleFetch(nullptr, nullptr, method, url, headers, requestBody,
                                           response, worker.getCallbackLimits(), instance)
                              .attach(kj::defer([&instance]() { instance.eventFinished(); }));
            started->fulfill();
            return result;
          });
    });
  }

  kj::Promise<api::CallResult> callNow(kj::String method, api::SerializedValue args) {
    KJ_IF_MAYBE (e, checkValid()) {
      return kj::mv(*e);
    }
    return run->whenReady().then([this, method = kj::mv(method),
                                  args = kj::mv(args)]() mutable -> kj::Promise<api::CallResult> {
      KJ_IF_MAYBE (e, checkValid()) {
        return kj::mv(*e);
      }
      auto& worker = KJ_ASSERT_NONNULL(run->worker)->getWorker();
      auto& instance = *KJ_ASSERT_NONNULL(run->instance);
      auto admission = instance.admit();
      return admission.turn.then(
          [this, &worker, &instance, method = kj::mv(method), args = kj::mv(args),
           started = kj::mv(admission.started)]() mutable -> kj::Promise<api::CallResult> {
            KJ_IF_MAYBE (e, checkValid()) {
              started->fulfill();
              return kj::mv(*e);
            }
            instance.eventStarted();
            auto result = worker
                              .handleCall(nullptr, nullptr, kj::mv(method), kj::mv(args),
                                          worker.getCallbackLimits(), instance)
                              .attach(kj::defer([&instance]() { instance.eventFinished(); }));
            started->fulfill();
            return result;
          });
    });
  }

  kj::Maybe<kj::Exception> checkValid() {
    if (slot->generation != generation)
      return api::userError(slot->abortType, slot->abortReason);
    return nullptr;
  }
};

struct FacetClass {
  // What a facets.get() callback chose: the class to run, and the id the facet sees.
  kj::Own<loader::WorkerHandle> worker;
  kj::String className;
  kj::Maybe<kj::String> id;  // null: its parent's
  kj::Maybe<kj::String> propsJson;
  // ctx.props, given with ctx.exports.X({props}); null: {}.
};

kj::Maybe<FacetClass> readFacetClass(v8::Local<v8::Context> context, const io::Settled& settled,
                                     FacetRun& run, worker::Worker& supervisor) {
  // The callback's result, {class, id}: read in the supervisor, whose getters it may run.
  auto isolate = context->GetIsolate();
  auto value = settled.get(isolate);
  if (settled.rejected) {
    run.fail(js::describeException(isolate, value));
    return nullptr;
  }
  auto undefined = v8::Undefined(isolate).As<v8::Value>();
  auto object = value->IsObject() ? value.As<v8::Object>() : v8::Local<v8::Object>();
  auto cls = value->IsObject() ? js::getProperty(context, object, "class") : undefined;
  // `id`: a DurableObjectId or a string, which the facet sees as its ctx.id.
  auto idValue = value->IsObject() ? js::getProperty(context, object, "id") : undefined;
  kj::Maybe<kj::String> id;
  if (!idValue->IsUndefined() && !idValue->IsNull())
    id = js::toKj(isolate, idValue);
  KJ_IF_MAYBE (ref, loader::unwrapDurableObjectClass(cls)) {
    return FacetClass{kj::mv(ref->worker), kj::str(ref->className), kj::mv(id)};
  }
  KJ_IF_MAYBE (cap, api::unwrapStub(cls)) {
    // Or one of the supervisor's own classes, through ctx.exports.
    KJ_IF_MAYBE (local, supervisor.localEntrypoint(*cap)) {
      return FacetClass{kj::refcounted<LocalWorkerHandle>(supervisor), kj::str(local->name),
                        kj::mv(id),
                        local->propsJson.map([](kj::StringPtr s) { return kj::str(s); })};
    }
  }
  if (value->IsObject()) {
    // One of the supervisor's classes that has a namespace (storage.js names it).
    auto local = js::getProperty(context, object, "localClass");
    if (local->IsString()) {
      auto localClass = js::toKj(isolate, local);
      if (supervisor.hasEntrypoint(localClass)) {
        return FacetClass{kj::refcounted<LocalWorkerHandle>(supervisor), kj::mv(localClass),
                          kj::mv(id)};
      }
    }
  }
  run.fail(
      "the callback must return {class}, with a class from "
      "workerStub.getDurableObjectClass(name) or ctx.exports.");
  return nullptr;
}

kj::Promise<void> startFacet(FacetRun& run, FacetClass picked, kj::Maybe<kj::String> filePrefix,
                             kj::String childId, kj::Maybe<kj::String> childName, unsigned depth,
                             kj::Maybe<SqliteDatabase&> memoryDb) {
  // Once the class's worker has started: the facet's instance, with a database of its own.
  auto& handleRef = *picked.worker;
  return handleRef.whenReady().then(
      [&run, handle = kj::mv(picked.worker), className = kj::mv(picked.className),
       propsJson = kj::mv(picked.propsJson), filePrefix = kj::mv(filePrefix),
       childId = kj::mv(childId), childName = kj::mv(childName), depth, memoryDb]() mutable {
        auto& h = *handle;
        auto instance = kj::refcounted<ObjectInstance>(
            InstanceSpec{kj::mv(className), kj::mv(childId), kj::mv(filePrefix), depth,
                         [&h]() -> kj::Maybe<worker::Worker&> { return h.getWorker(); }, nullptr,
                         kj::addRef(h), memoryDb, kj::mv(childName), kj::mv(propsJson)});
        instance->restoreAlarm();
        run.start(kj::mv(handle), kj::mv(instance));
      },
      [&run](kj::Exception&& e) {
        KJ_IF_MAYBE (user, api::parseUserError(e)) {
          run.fail(kj::get<1>(*user));
        } else {
          run.fail("the facet's worker could not start");
        }
      });
}

}  // namespace

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
  bool control = false;
  for (char c: name)
    control = control || static_cast<unsigned char>(c) < 0x20;
  if (name.size() == 0 || name.size() > MAX_FACET_NAME || control) {
    // Control characters would also break the line-based index file.
    js::throwTypeError(isolate, kj::str("Facet names must be 1 to ", MAX_FACET_NAME,
                                        " bytes long, without control characters."));
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
  // Without an `id` option the facet sees its parent's id (and name) as its own.
  auto childId = kj::str(s->spec.id);
  kj::Maybe<kj::String> childName = s->getIdName().map([](kj::StringPtr n) { return kj::str(n); });
  unsigned depth = s->spec.depth + 1;
  auto& runRef = *run;
  auto& supervisorWorker = KJ_ASSERT_NONNULL(s->spec.getWorker());
  auto keep = kj::addRef(*run);
  ioContext->addTask(
      runtime.awaitJs(context, produced)
          .then([&runtime, ioContext, &runRef, filePrefix = kj::mv(filePrefix),
                 childId = kj::mv(childId), childName = kj::mv(childName), depth, memoryDb,
                 &supervisorWorker](io::Settled&& settled) mutable -> kj::Promise<void> {
            // The descriptor's getters are the supervisor's code: a stack of its own.
            return runtime
                .runSliced(*ioContext,
                           [&runRef, &supervisorWorker,
                            settled = kj::mv(settled)](v8::Local<v8::Context> context) {
                             return readFacetClass(context, settled, runRef, supervisorWorker);
                           })
                .then([&runRef, filePrefix = kj::mv(filePrefix), childId = kj::mv(childId),
                       childName = kj::mv(childName), depth,
                       memoryDb](kj::Maybe<FacetClass> picked) mutable -> kj::Promise<void> {
                  KJ_IF_MAYBE (p, picked) {
                    KJ_IF_MAYBE (id, p->id) {
                      childId = kj::mv(*id);
                      childName = nullptr;
                    }
                    return startFacet(runRef, kj::mv(*p), kj::mv(filePrefix), kj::mv(childId),
                                      kj::mv(childName), depth, memoryDb);
                  }
                  return kj::READY_NOW;
                });
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
    // The callers see the reason as workerd shows it: an Error's type and message (of the
    // built-in types; others read as Error), anything else as an Error of its string.
    auto reason = info[1];
    kj::StringPtr type = "Error";
    kj::String message;
    if (reason->IsNativeError()) {
      auto object = reason.As<v8::Object>();
      auto name = toKj(isolate, js::getProperty(context, object, "name"));
      for (kj::StringPtr builtIn:
           {"TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError"}) {
        if (name == builtIn)
          type = builtIn;
      }
      message = toKj(isolate, js::getProperty(context, object, "message"));
    } else {
      message = toKj(isolate, reason);
    }
    abortSlot(**slot, type, kj::mv(message));
  }
}

void ObjectInstance::abortSlot(FacetSlot& slot, kj::StringPtr type, kj::String reason) {
  slot.generation++;
  slot.abortType = type;
  slot.abortReason = kj::mv(reason);
  // Stubs hold the run too; the instance (and its database) goes when the last one drops. Its
  // calls end now, though, and what it received: the facet's isolate (and module state) lives on.
  KJ_IF_MAYBE (run, slot.running) {
    (*run)->abort(slot.abortType, slot.abortReason);
  }
  slot.running = nullptr;
}

void FacetRun::abort(kj::StringPtr type, kj::StringPtr reason) {
  KJ_IF_MAYBE (i, instance) {
    (*i)->endReceivedStubs();
    (*i)->breakWith(reason);
  }
  canceler.cancel(api::userError(type, reason));
}

void ObjectInstance::facetDelete(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  auto isolate = info.GetIsolate();
  auto name = toKj(isolate, info[0]);
  KJ_IF_MAYBE (slot, s->facets.find(name)) {
    abortSlot(**slot, "Error", kj::str("Facet was deleted."));  // workerd's words
    KJ_IF_MAYBE (prefix, s->spec.filePrefix) {
      auto base = kj::str(*prefix, ".", (*slot)->n);
      for (auto suffix: {".sqlite", ".sqlite-wal", ".sqlite-shm", ".facets"}) {
        unlink(kj::str(base, suffix).cStr());
      }
    }
    s->facets.erase(name);
  }
}

}  // namespace kiln::storage
