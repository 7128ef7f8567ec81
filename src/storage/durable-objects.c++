#include "src/storage/durable-objects.h"
#include "src/storage/object.h"

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

alignas(8) char NAMESPACE_TAG;
constexpr size_t ID_BYTES = 16;

kj::Array<kj::byte> hmac(kj::StringPtr key, kj::ArrayPtr<const kj::byte> data) {
  auto out = kj::heapArray<kj::byte>(32);
  unsigned len = 32;
  HMAC(EVP_sha256(), key.begin(), key.size(), data.begin(), data.size(), out.begin(), &len);
  return out;
}

}  // namespace

namespace {

// What a stub for one object calls: events go to the instance, in the class's worker.
class ObjectCapability final : public api::Capability {
 public:
  ObjectCapability(DurableObjectNamespace& ns, kj::String id) : ns(ns), id(kj::mv(id)) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    auto instance = kj::addRef(ns.getInstance(id));
    KJ_IF_MAYBE (e, checkReached(*instance)) {
      return kj::mv(*e);
    }
    auto admission = instance->admit();
    auto& ref = *instance;
    return ref
        .wrapEvent(admission.turn.then(
            [this, &ref, method, url, &headers, &requestBody, &response,
             depth = io::CallerDepth::current(),
             started = kj::mv(admission.started)]() mutable -> kj::Promise<void> {
              KJ_IF_MAYBE (reason, ref.brokenReason()) {
                started->fulfill();  // Queued at the gate of an instance that was reset meanwhile.
                return api::userError("Error", *reason);
              }
              KJ_IF_MAYBE (worker, ns.getWorker()) {
                ref.eventStarted();
                io::CallerDepth caller(depth);  // Admitted later than it was made.
                auto result = worker
                                  ->handleFetch(nullptr, nullptr, method, url, headers, requestBody,
                                                response, io::IoLimits::unlimited(), ref)
                                  .attach(kj::defer([&ref]() { ref.eventFinished(); }));
                started->fulfill();
                return result;
              }
              started->fulfill();
              return KJ_EXCEPTION(DISCONNECTED, "Durable Object's worker not started");
            }))
        .attach(kj::mv(instance));
  }

  kj::Promise<api::CallResult> call(kj::String method, api::SerializedValue args) override {
    auto instance = kj::addRef(ns.getInstance(id));
    KJ_IF_MAYBE (e, checkReached(*instance)) {
      return kj::mv(*e);
    }
    auto admission = instance->admit();
    auto& ref = *instance;
    return ref
        .wrapEvent(admission.turn.then(
            [this, &ref, method = kj::mv(method), args = kj::mv(args),
             started = kj::mv(admission.started)]() mutable -> kj::Promise<api::CallResult> {
              KJ_IF_MAYBE (reason, ref.brokenReason()) {
                started->fulfill();
                return api::userError("Error", *reason);
              }
              KJ_IF_MAYBE (worker, ns.getWorker()) {
                ref.eventStarted();
                auto result =
                    worker->handleCall(nullptr, nullptr, kj::mv(method), kj::mv(args), {}, ref)
                        .attach(kj::defer([&ref]() { ref.eventFinished(); }));
                started->fulfill();
                return result;
              }
              started->fulfill();
              return KJ_EXCEPTION(DISCONNECTED, "Durable Object's worker not started");
            }))
        .attach(kj::mv(instance));
  }

 private:
  DurableObjectNamespace& ns;
  kj::String id;
  kj::Maybe<kj::Own<ObjectInstance>> reached;
  // The instance this stub last reached. As on Workers, a stub whose object was reset stays
  // broken (a new stub from the namespace reaches the new instance); an evicted one does not.

  kj::Maybe<kj::Exception> checkReached(ObjectInstance& current) {
    KJ_IF_MAYBE (last, reached) {
      if (last->get() != &current) {
        KJ_IF_MAYBE (reason, (*last)->brokenReason()) {
          return api::userError("Error", *reason);
        }
      }
    }
    reached = kj::addRef(current);
    return nullptr;
  }
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

void nsClassName(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto& ns = unwrapNamespace(info);
  info.GetReturnValue().Set(newString(info.GetIsolate(), ns.getConfig().className));
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
  if (info[1]->IsString())
    ns.rememberName(id, toKj(isolate, info[1]));
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

void DurableObjectNamespace::rememberName(kj::StringPtr id, kj::StringPtr name) {
  if (names.find(id) != nullptr || idFromName(name) != id)
    return;
  names.insert(kj::str(id), kj::str(name));
}

kj::Maybe<kj::StringPtr> DurableObjectNamespace::nameOf(kj::StringPtr id) {
  return names.find(id).map([](kj::String& name) -> kj::StringPtr { return name; });
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
  startEvictionSweep();
  auto instance = kj::refcounted<ObjectInstance>(InstanceSpec{
      kj::str(config.className), kj::str(id), config.directory.map([&](kj::String& dir) {
        return kj::str(dir, "/", config.uniqueKey, "/", id);
      }),
      0, [this]() { return getWorker(); }, *this, nullptr, nullptr});
  auto& ref = *instance;
  instances.insert(kj::str(id), kj::mv(instance));
  return ref;
}

void DurableObjectNamespace::forget(ObjectInstance& instance) {
  KJ_IF_MAYBE (found, instances.find(instance.getId())) {
    if (found->get() == &instance)
      instances.erase(instance.getId());
  }
}

void DurableObjectNamespace::startEvictionSweep() {
  // In-memory objects have nothing to come back from: they stay.
  if (sweeping || config.evictAfterIdleMs == 0 || config.directory == nullptr)
    return;
  KJ_IF_MAYBE (worker, getWorker()) {
    sweeping = true;
    auto& timer = worker->getTimer();
    auto period = kj::max(config.evictAfterIdleMs / 2, 20u) * kj::MILLISECONDS;
    sweepTasks.add(timer.afterDelay(period).then([this]() {
      sweeping = false;
      js::advanceClock();  // Outside JavaScript the frozen clock would be stale.
      double cutoff = js::frozenNowMillis() - config.evictAfterIdleMs;
      kj::Vector<kj::String> idle;
      for (auto& entry: instances) {
        if (entry.value->isIdleSince(cutoff))
          idle.add(kj::str(entry.key));
      }
      for (auto& id: idle) {
        KJ_IF_MAYBE (instance, instances.find(id)) {
          (*instance)->evict();
        }
        instances.erase(id);
        metrics::countObjectEviction();
      }
      if (instances.size() > 0)
        startEvictionSweep();
    }));
  }
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
      getInstance(id).restoreAlarm();
    }
  }
}

void DurableObjectNamespace::recordSize(kj::StringPtr key, size_t bytes) {
  size_t& known = objectBytes.findOrCreate(key, [&]() {
    return decltype(objectBytes)::Entry{kj::str(key), 0};
  });
  totalBytes = totalBytes - known + bytes;
  known = bytes;
  metrics::setSqliteBytes(config.uniqueKey, totalBytes);
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
        {"className", &nsClassName},
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
