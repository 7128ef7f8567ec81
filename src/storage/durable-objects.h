// Durable Objects: namespaces of objects addressed by unforgeable ids, one live instance per id
// (kiln runs workers with Durable Objects on a single event loop so that this holds process
// wide), each with its own SQLite database (<directory>/<uniqueKey>/<id>.sqlite).
#pragma once

#include "src/storage/sqlite.h"
#include "src/worker/worker.h"

#include <kj/map.h>

namespace kiln::storage {

class ObjectInstance;

struct NamespaceConfig {
  kj::String className;
  kj::String uniqueKey;
  kj::Maybe<kj::String> directory;    // Null: in-memory databases.
  uint32_t evictAfterIdleMs = 30000;  // 0: never.
};

class DurableObjectNamespace {
 public:
  DurableObjectNamespace(NamespaceConfig config,
                         kj::Function<kj::Maybe<worker::Worker&>()> getWorker);
  ~DurableObjectNamespace() noexcept(false);
  KJ_DISALLOW_COPY(DurableObjectNamespace);

  kj::String idFromName(kj::StringPtr name);
  kj::String newUniqueId();
  bool isValidId(kj::StringPtr id);
  // Ids are 64 hex digits: 16 bytes of id and a 16-byte HMAC-SHA256 of them keyed by the
  // namespace's uniqueKey, so only this namespace can make (or accept) its ids.

  kj::Own<api::Capability> getStub(kj::String id);
  void rememberName(kj::StringPtr id, kj::StringPtr name);
  kj::Maybe<kj::StringPtr> nameOf(kj::StringPtr id);
  // The names objects were addressed by (getByName, idFromName), for ctx.id.name inside them;
  // only a name that derives the id is kept, so a name cannot be claimed for another's id.
  ObjectInstance& getInstance(kj::StringPtr id);
  void forget(ObjectInstance& instance);
  void addTask(kj::Promise<void> task) { sweepTasks.add(kj::mv(task)); }
  // A reset instance (ObjectInstance::reset) is let go of: the next event for its id starts a
  // new one. Nothing if another instance already has the id (a facet shares its parent's).
  kj::Maybe<worker::Worker&> getWorker() { return getWorkerFn(); }
  const NamespaceConfig& getConfig() const { return config; }
  void recordSize(kj::StringPtr key, size_t bytes);
  // One object's (or facet's) current database size, by file prefix; /metrics shows the sum
  // over every object loaded since start.
  void restoreAlarms();
  // Schedules the alarms stored in this namespace's files (after a restart).

 private:
  NamespaceConfig config;
  kj::Function<kj::Maybe<worker::Worker&>()> getWorkerFn;
  kj::HashMap<kj::String, kj::Own<ObjectInstance>> instances;
  kj::HashMap<kj::String, size_t> objectBytes;
  kj::HashMap<kj::String, kj::String> names;  // id -> the name it derives from
  size_t totalBytes = 0;
  bool sweeping = false;
  class IgnoreErrors final : public kj::TaskSet::ErrorHandler {
   public:
    void taskFailed(kj::Exception&& e) override {}
  };
  IgnoreErrors sweepErrors;
  kj::TaskSet sweepTasks{sweepErrors};
  void startEvictionSweep();

  kj::String finishId(kj::ArrayPtr<const kj::byte> idBytes);
};

worker::Binding newNamespaceBinding(kj::StringPtr name, DurableObjectNamespace& ns);

}  // namespace kiln::storage
