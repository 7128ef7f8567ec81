// One replica of the config's service graph, living on one event-loop thread: workers, network
// and external services, disk directories, and the HTTP servers on the config's sockets.
#pragma once

#include "src/server/config.h"
#include "src/loader/loader.h"
#include "src/storage/durable-objects.h"
#include "src/worker/worker.h"

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/map.h>

namespace kiln::server {

class Service {
 public:
  virtual ~Service() noexcept(false) = default;
  virtual kj::Own<api::Capability> entrypoint(kj::Maybe<kj::StringPtr> name,
                                              kj::Maybe<kj::StringPtr> propsJson) = 0;
  virtual kj::Maybe<worker::Worker&> getWorker() { return nullptr; }
};

class Server {
 public:
  Server(const ParsedConfig& config, kj::AsyncIoContext& io);

  static constexpr kj::Duration DRAIN_DEADLINE = 30 * kj::SECONDS;
  ~Server() noexcept(false);
  KJ_DISALLOW_COPY(Server);

  bool start(kj::WaitScope& waitScope, ConfigErrors& errors);
  // Starts every worker (evaluating its modules). False, with errors naming the worker and the
  // JavaScript error, when one fails.

  void listen(config::Socket::Reader socket, kj::Own<kj::ConnectionReceiver> listener);
  kj::Promise<void> drain();
  // Stops accepting connections, lets in-flight requests and waitUntil() work finish.

  kj::Array<kj::Tuple<kj::StringPtr, worker::Worker*>> getWorkers();

  kj::HttpHeaderTable& getHeaderTable() { return headerTable; }
  kj::Timer& getTimer() { return io.provider->getTimer(); }

  kj::Own<api::Capability> designate(config::ServiceDesignator::Reader designator);

 private:
  const ParsedConfig& config;
  kj::AsyncIoContext& io;
  kj::HttpHeaderTable headerTable;
  loader::LoaderRegistry loaders;  // Outlives the workers that use it.
  kj::HashMap<kj::String, kj::Own<storage::DurableObjectNamespace>> namespaces;
  // Keyed by "service/className".
  kj::HashMap<kj::String, kj::Own<Service>> services;

  struct Listener final : private kj::TaskSet::ErrorHandler {
    kj::Own<api::Capability> service;
    kj::Own<kj::HttpServer> server;         // http sockets
    kj::Own<kj::HttpService> errorPage;     // http sockets: in front of `service`
    kj::TaskSet connections{*this};         // http sockets: one task per open connection
    kj::Own<loader::OutsideLoader> loader;  // capnp sockets granting one; before `rpc`
    kj::Own<capnp::TwoPartyServer> rpc;     // capnp sockets
    kj::Own<kj::ConnectionReceiver> receiver;
    kj::Promise<void> accepting = nullptr;

    kj::Promise<void> acceptHttp(kj::Timer& timer);
    // Serves each connection until it ends or its client hangs up: a client that goes away
    // cancels its request (its worker's event ends, the socket closes) instead of leaving the
    // connection in CLOSE-WAIT until the worker is done.

   private:
    void taskFailed(kj::Exception&& exception) override;
  };
  kj::Vector<kj::Own<Listener>> listeners;

  Service& getService(kj::StringPtr name);
  kj::Own<loader::OutsideLoader> grantLoader(config::Socket::Reader socket);
};

}  // namespace kiln::server
