#include "src/server/server.h"

#include "src/server/capnp-socket.h"
#include "src/server/services.h"
#include "src/server/connection.h"
#include "src/util/log.h"

#include <capnp/message.h>
#include <kj/debug.h>
#include <stdlib.h>

namespace kiln::server {
namespace {

kj::Maybe<kj::StringPtr> propsOf(config::ServiceDesignator::Reader d) {
  if (d.getProps().isJson())
    return d.getProps().getJson();
  return nullptr;
}

kj::Maybe<kj::StringPtr> entrypointOf(config::ServiceDesignator::Reader d) {
  if (d.hasEntrypoint())
    return d.getEntrypoint();
  return nullptr;
}

kj::Array<js::ModuleSource> modulesOf(config::Worker::Reader worker) {
  auto result = kj::heapArrayBuilder<js::ModuleSource>(worker.getModules().size());
  for (auto module: worker.getModules()) {
    using Type = js::ModuleSource::Type;
    Type type;
    kj::Array<kj::byte> content;
    auto textBytes = [](capnp::Text::Reader text) {
      return kj::heapArray<kj::byte>(text.asBytes());
    };
    switch (module.which()) {
      case config::Worker::Module::ES_MODULE:
        type = Type::ES;
        content = textBytes(module.getEsModule());
        break;
      case config::Worker::Module::COMMON_JS_MODULE:
        type = Type::COMMON_JS;
        content = textBytes(module.getCommonJsModule());
        break;
      case config::Worker::Module::TEXT:
        type = Type::TEXT;
        content = textBytes(module.getText());
        break;
      case config::Worker::Module::DATA:
        type = Type::DATA;
        content = kj::heapArray<kj::byte>(module.getData());
        break;
      case config::Worker::Module::JSON:
        type = Type::JSON;
        content = textBytes(module.getJson());
        break;
    }
    result.add(js::ModuleSource{kj::str(module.getName()), type, kj::mv(content)});
  }
  return result.finish();
}

loader::LoaderLimits loaderLimitsOf(config::Worker::Binding::WorkerLoader::Reader conf) {
  loader::LoaderLimits limits;
  limits.heapLimitBytes = size_t(conf.getHeapMb()) << 20;
  limits.eventLimits = io::IoLimits{conf.getSubRequests(), conf.getCpuMs()};
  limits.maxEnvBytes = size_t(conf.getMaxEnvKb()) << 10;
  limits.maxWarmWorkers = conf.getMaxWarmWorkers();
  limits.warmMemoryBytes = size_t(conf.getWarmMemoryMb()) << 20;
  return limits;
}

}  // namespace

Server::Server(const ParsedConfig& config, kj::AsyncIoContext& io) : config(config), io(io) {}

Server::~Server() noexcept(false) {
  listeners.clear();
  // Workers hold clients into other services: destroy workers first, then the rest.
  for (auto& entry: services) {
    if (auto ws = dynamic_cast<WorkerService*>(entry.value.get()))
      ws->setWorker(kj::Own<worker::Worker>());
  }
}

Service& Server::getService(kj::StringPtr name) {
  KJ_IF_MAYBE (service, services.find(name)) {
    return **service;
  }
  KJ_FAIL_REQUIRE("unknown service; config validation should have caught this", name);
}

kj::Own<api::Capability> Server::designate(config::ServiceDesignator::Reader d) {
  return getService(d.getName()).entrypoint(entrypointOf(d), propsOf(d));
}

bool Server::start(kj::WaitScope& waitScope, ConfigErrors& errors) {
  auto root = config.get();
  for (auto service: root.getServices()) {
    kj::Own<Service> impl;
    switch (service.which()) {
      case config::Service::WORKER:
        impl = kj::heap<WorkerService>(service.getName());
        break;
      case config::Service::NETWORK:
        impl = newNetworkService(io, headerTable, service.getNetwork());
        break;
      case config::Service::EXTERNAL: {
        auto address = service.getExternal().getAddress();
        KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                       impl = newExternalService(
                           io, headerTable,
                           io.provider->getNetwork().parseAddress(address).wait(waitScope));
                     })) {
          errors.add(config.locate(address, kj::str("external service \"", service.getName(),
                                                    "\": cannot resolve \"", address, "\"")));
          return false;
        }
        break;
      }
      case config::Service::DISK:
        impl = newDiskService(headerTable, service.getDisk());
        break;
      case config::Service::UNSPECIFIED:
        KJ_FAIL_REQUIRE("unspecified service passed validation");
    }
    services.insert(kj::str(service.getName()), kj::mv(impl));
  }
  if (services.find("internet") == nullptr) {
    // workerd's implicit default outbound: the public internet only.
    capnp::MallocMessageBuilder message;
    auto network = message.initRoot<config::Network>();
    network.initAllow(1).set(0, "public");
    services.insert(kj::str("internet"), newNetworkService(io, headerTable, network.asReader()));
  }

  // Durable Object namespaces first: bindings in any worker may refer to them.
  for (auto service: root.getServices()) {
    if (!service.isWorker())
      continue;
    auto conf = service.getWorker();
    kj::Maybe<kj::String> directory;
    if (conf.getDurableObjectStorage().isLocalDisk()) {
      KJ_IF_MAYBE (disk, services.find(conf.getDurableObjectStorage().getLocalDisk())) {
        (void)disk;
        for (auto s: root.getServices()) {
          if (s.getName() == conf.getDurableObjectStorage().getLocalDisk() && s.isDisk()) {
            directory = kj::str(s.getDisk().getPath());
          }
        }
      }
    }
    for (auto ns: conf.getDurableObjectNamespaces()) {
      auto serviceName = kj::str(service.getName());
      storage::NamespaceConfig nsConfig{kj::str(ns.getClassName()),
                                        ns.isUniqueKey()
                                            ? kj::str(ns.getUniqueKey())
                                            : kj::str(service.getName(), ":", ns.getClassName()),
                                        directory.map([](kj::String& d) { return kj::str(d); }),
                                        ns.getPreventEviction() ? 0u : ns.getEvictAfterIdleMs()};
      auto getWorker = [this, serviceName = kj::mv(serviceName)]() -> kj::Maybe<worker::Worker&> {
        KJ_IF_MAYBE (s, services.find(serviceName)) {
          return (*s)->getWorker();
        }
        return nullptr;
      };
      namespaces.insert(
          kj::str(service.getName(), "/", ns.getClassName()),
          kj::heap<storage::DurableObjectNamespace>(kj::mv(nsConfig), kj::mv(getWorker)));
    }
  }

  for (auto service: root.getServices()) {
    if (!service.isWorker())
      continue;
    auto conf = service.getWorker();
    auto name = service.getName();

    worker::WorkerSource source;
    source.name = kj::str(name);
    source.modules = modulesOf(conf);
    source.mainModule = kj::str(conf.getModules()[0].getName());
    source.compatibilityDate = kj::str(conf.getCompatibilityDate());
    kj::Vector<kj::String> flags;
    for (auto flag: conf.getCompatibilityFlags())
      flags.add(kj::str(flag));
    source.compatibilityFlags = flags.releaseAsArray();

    kj::Vector<worker::Binding> bindings;
    for (auto b: conf.getBindings()) {
      worker::Binding binding;
      binding.name = kj::str(b.getName());
      switch (b.which()) {
        case config::Worker::Binding::TEXT:
          binding.type = worker::Binding::Type::TEXT;
          binding.text = kj::str(b.getText());
          break;
        case config::Worker::Binding::DATA:
          binding.type = worker::Binding::Type::DATA;
          binding.data = kj::heapArray<kj::byte>(b.getData());
          break;
        case config::Worker::Binding::JSON:
          binding.type = worker::Binding::Type::JSON;
          binding.text = kj::str(b.getJson());
          break;
        case config::Worker::Binding::FROM_ENVIRONMENT: {
          const char* value = getenv(kj::str(b.getFromEnvironment()).cStr());
          if (value == nullptr) {
            binding.type = worker::Binding::Type::NULL_VALUE;
          } else {
            binding.type = worker::Binding::Type::TEXT;
            binding.text = kj::str(value);
          }
          break;
        }
        case config::Worker::Binding::DURABLE_OBJECT_NAMESPACE: {
          auto d = b.getDurableObjectNamespace();
          auto key = kj::str(d.hasServiceName() ? d.getServiceName() : name, "/", d.getClassName());
          auto& ns = KJ_ASSERT_NONNULL(namespaces.find(key), "validated namespace missing", key);
          binding = storage::newNamespaceBinding(b.getName(), *ns);
          break;
        }
        case config::Worker::Binding::WORKER_LOADER: {
          auto conf = b.getWorkerLoader();
          auto limits = loaderLimitsOf(conf);
          kj::Maybe<loader::LoaderCache&> shared;
          if (conf.hasId())
            shared = loaders.getShared(conf.getId(), limits);
          binding = loader::newLoaderBinding(b.getName(), shared, limits);
          break;
        }
        case config::Worker::Binding::SERVICE: {
          binding.type = worker::Binding::Type::SERVICE;
          binding.service = designate(b.getService());
          break;
        }
        default:
          KJ_FAIL_REQUIRE("unsupported binding passed validation", b.getName());
      }
      bindings.add(kj::mv(binding));
    }
    source.bindings = bindings.releaseAsArray();

    auto outbound = designate(conf.getGlobalOutbound());

    auto tails = kj::heapArrayBuilder<kj::Own<api::Capability>>(conf.getTails().size());
    for (auto tail: conf.getTails())
      tails.add(designate(tail));
    auto streamingTails =
        kj::heapArrayBuilder<kj::Own<api::Capability>>(conf.getStreamingTails().size());
    for (auto tail: conf.getStreamingTails())
      streamingTails.add(designate(tail));

    auto workerName = kj::str(name);
    worker::WorkerOptions options{
        io.provider->getTimer(),
        headerTable,
        kj::mv(outbound),
        {},
        [workerName = kj::mv(workerName)](kj::StringPtr level, kj::StringPtr message) {
          logLine(level, workerName, message);
        }};
    options.tails = tails.finish();
    options.streamingTails = streamingTails.finish();
    kj::Vector<worker::Binding> overrides;
    for (auto ns: conf.getDurableObjectNamespaces()) {
      auto key = kj::str(name, "/", ns.getClassName());
      auto& namespaceObj = KJ_ASSERT_NONNULL(namespaces.find(key));
      overrides.add(storage::newNamespaceBinding(ns.getClassName(), *namespaceObj));
    }
    options.exportOverrides = overrides.releaseAsArray();
    try {
      auto worker = kj::heap<worker::Worker>(kj::mv(source), kj::mv(options));
      dynamic_cast<WorkerService&>(getService(name)).setWorker(kj::mv(worker));
    } catch (worker::StartupError& e) {
      errors.add(
          config.locate(name, kj::str("worker \"", name, "\" failed to start: ", e.message)));
    }
  }
  if (!errors.empty())
    return false;

  // Entrypoint names can only be checked once the modules ran.
  auto checkEntrypoint = [&](config::ServiceDesignator::Reader d) {
    if (!d.hasEntrypoint())
      return;
    KJ_IF_MAYBE (service, services.find(d.getName())) {
      KJ_IF_MAYBE (worker, (*service)->getWorker()) {
        if (!worker->hasEntrypoint(d.getEntrypoint())) {
          errors.add(config.locate(d.getEntrypoint(),
                                   kj::str("Worker has no such entrypoint: ", d.getEntrypoint(),
                                           " (service \"", d.getName(), "\")")));
        }
      }
    }
  };
  for (auto service: root.getServices()) {
    if (!service.isWorker())
      continue;
    for (auto b: service.getWorker().getBindings()) {
      if (b.isService())
        checkEntrypoint(b.getService());
    }
  }
  for (auto socket: root.getSockets())
    checkEntrypoint(socket.getService());
  if (errors.empty()) {
    for (auto& entry: namespaces)
      entry.value->restoreAlarms();
  }
  return errors.empty();
}

void Server::listen(config::Socket::Reader socket, kj::Own<kj::ConnectionReceiver> receiver) {
  auto listener = kj::heap<Listener>();
  listener->service =
      socket.hasAdmin() ? newAdminService(headerTable) : designate(socket.getService());
  listener->receiver = kj::mv(receiver);
  kj::Promise<void> accepting = nullptr;
  if (socket.hasCapnp()) {
    kj::Maybe<loader::OutsideLoader&> granted;
    if (socket.getCapnp().hasWorkerLoader()) {
      listener->loader = grantLoader(socket);
      granted = *listener->loader;
    }
    listener->rpc = kj::heap<capnp::TwoPartyServer>(
        newEntrypointServer(listener->service->addRef(), headerTable, granted));
    accepting = listener->rpc->listen(*listener->receiver);
  } else {
    listener->errorPage = kj::heap<ErrorPageService>(*listener->service, headerTable);
    listener->server =
        kj::heap<kj::HttpServer>(io.provider->getTimer(), headerTable, *listener->errorPage);
    accepting = listener->acceptHttp(io.provider->getTimer());
  }
  listener->accepting =
      kj::mv(accepting).eagerlyEvaluate([name = kj::str(socket.getName())](kj::Exception&& e) {
        logLine("error", "kiln", kj::str("socket ", name, " failed: ", e.getDescription()));
      });
  listeners.add(kj::mv(listener));
}

kj::Promise<void> Server::Listener::acceptHttp(kj::Timer& timer) {
  return receiver->accept().then([this, &timer](kj::Own<kj::AsyncIoStream> stream) {
    auto watched = kj::heap<WatchedConnection>(kj::mv(stream));
    auto& connection = *watched;
    // The connection outlives both branches, which refer to it.
    connections.add(
        server->listenHttp(kj::Own<kj::AsyncIoStream>(&connection, kj::NullDisposer::instance))
            .exclusiveJoin(connection.whenHungUp())
            .then([&connection, &timer]() { return connection.linger(timer); })
            .attach(kj::mv(watched)));
    return acceptHttp(timer);
  });
}

void Server::Listener::taskFailed(kj::Exception&& exception) {
  if (exception.getType() != kj::Exception::Type::DISCONNECTED)
    logLine("error", "kiln", kj::str("connection failed: ", exception.getDescription()));
}

kj::Own<loader::OutsideLoader> Server::grantLoader(config::Socket::Reader socket) {
  // Validation made sure the binding exists and is a workerLoader of the socket's worker.
  auto serviceName = socket.getService().getName();
  auto bindingName = socket.getCapnp().getWorkerLoader();
  auto& worker = KJ_ASSERT_NONNULL(getService(serviceName).getWorker());
  for (auto service: config.get().getServices()) {
    if (service.getName() != serviceName || !service.isWorker())
      continue;
    for (auto b: service.getWorker().getBindings()) {
      if (b.getName() != bindingName || !b.isWorkerLoader())
        continue;
      auto conf = b.getWorkerLoader();
      auto limits = loaderLimitsOf(conf);
      kj::Maybe<loader::LoaderCache&> shared;
      if (conf.hasId())
        shared = loaders.getShared(conf.getId(), limits);
      return loader::newOutsideLoader(worker, shared, limits);
    }
  }
  KJ_FAIL_ASSERT("validated workerLoader grant missing", bindingName);
}

kj::Promise<void> Server::drain() {
  kj::Vector<kj::Promise<void>> drains;
  for (auto& listener: listeners) {
    // Dropping the accept loop closes nothing in flight; drain() then waits for open requests.
    listener->accepting = nullptr;
    if (listener->server.get() != nullptr)
      drains.add(listener->server->drain());
  }
  auto finished = kj::joinPromises(drains.releaseAsArray()).then([this]() {
    kj::Vector<kj::Promise<void>> idle;
    for (auto& entry: services) {
      KJ_IF_MAYBE (worker, entry.value->getWorker()) {
        idle.add(worker->onBackgroundIdle());
      }
    }
    return kj::joinPromises(idle.releaseAsArray());
  });
  // A request or waitUntil() that never ends must not keep the process from stopping: past the
  // deadline the rest is abandoned (the process exits right after).
  auto deadline = getTimer().afterDelay(DRAIN_DEADLINE).then([]() {
    logLine("warning", "kiln",
            kj::str("drain deadline of ", DRAIN_DEADLINE / kj::SECONDS,
                    " s passed; canceling the requests and waitUntil() work still running"));
  });
  return finished.exclusiveJoin(kj::mv(deadline));
}

kj::Array<kj::Tuple<kj::StringPtr, worker::Worker*>> Server::getWorkers() {
  kj::Vector<kj::Tuple<kj::StringPtr, worker::Worker*>> result;
  for (auto service: config.get().getServices()) {
    KJ_IF_MAYBE (s, services.find(service.getName())) {
      KJ_IF_MAYBE (worker, (*s)->getWorker()) {
        result.add(kj::tuple(service.getName(), worker));
      }
    }
  }
  return result.releaseAsArray();
}

}  // namespace kiln::server
