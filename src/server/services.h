// The kinds of service a config declares.
#pragma once

#include "src/server/server.h"

namespace kiln::server {

kj::Own<Service> newNetworkService(kj::AsyncIoContext& io, kj::HttpHeaderTable& table,
                                   config::Network::Reader network);
kj::Own<Service> newExternalService(kj::AsyncIoContext& io, kj::HttpHeaderTable& table,
                                    kj::Own<kj::NetworkAddress> address);
kj::Own<api::Capability> newAdminService(kj::HttpHeaderTable& table);
// The admin socket: /metrics in Prometheus text format, /healthz.

kj::Own<Service> newDiskService(kj::HttpHeaderTable& table, config::DiskDirectory::Reader disk);

class WorkerService final : public Service {
  // Hands out entrypoints before the worker exists, so that workers can bind to each other in
  // any order (and in cycles); requests only arrive once every worker has started.
 public:
  explicit WorkerService(kj::StringPtr name) : name(name) {}
  kj::Own<api::Capability> entrypoint(kj::Maybe<kj::StringPtr> entry,
                                      kj::Maybe<kj::StringPtr> propsJson) override;
  kj::Maybe<worker::Worker&> getWorker() override;
  void setWorker(kj::Own<worker::Worker> worker) { this->worker = kj::mv(worker); }

 private:
  kj::StringPtr name;
  kj::Maybe<kj::Own<worker::Worker>> worker;
};

}  // namespace kiln::server
