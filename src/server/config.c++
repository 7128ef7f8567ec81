#include "src/server/config.h"

#include "config-schema/schema_text.embed.h"
#include "src/server/config-shorthand.h"

#include <capnp/dynamic.h>
#include <kj/debug.h>
#include <kj/io.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::server {
namespace {

kj::Maybe<kj::String> readFile(kj::StringPtr path) {
  int fd = open(path.cStr(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return nullptr;
  kj::AutoCloseFd owned(fd);
  struct stat st;
  if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode))
    return nullptr;
  kj::FdInputStream in(kj::mv(owned));
  auto bytes = in.readAllBytes();
  return kj::heapString(bytes.asChars());
}

kj::String dirName(kj::StringPtr path) {
  KJ_IF_MAYBE (slash, path.findLast('/')) {
    return kj::heapString(path.slice(0, *slash + 1));
  }
  return kj::str();
}

// Resolves the config's imports: "/workerd/workerd.capnp" and "/capnp/c++.capnp" to the copies
// compiled into kiln, anything relative to the importing file on disk.
class ConfigFile final : public capnp::SchemaFile {
 public:
  ConfigFile(kj::String diskPath, ConfigErrors& errors)
      : name(kj::mv(diskPath)), embedded(nullptr), errors(errors) {}
  ConfigFile(kj::String displayName, const EmbeddedFile* embedded, ConfigErrors& errors)
      : name(kj::mv(displayName)), embedded(embedded), errors(errors) {}

  kj::StringPtr getDisplayName() const override { return name; }

  kj::Array<const char> readContent() const override {
    if (embedded != nullptr)
      return kj::heapArray<const char>(embedded->text().asArray());
    KJ_IF_MAYBE (text, readFile(name)) {
      // Embedded files (JS, JSON...) are read through here too; only rewrite schema text.
      if (name.endsWith(".capnp")) {
        auto expanded = expandStringShorthands(*text);
        return kj::heapArray<const char>(expanded.asArray());
      }
      return kj::heapArray<const char>(text->asArray());
    }
    // import() checked the file exists; a race here still gives a readable message.
    KJ_FAIL_REQUIRE("cannot read file", name);
  }

  kj::Maybe<kj::Own<capnp::SchemaFile>> import(kj::StringPtr path) const override {
    if (path.startsWith("/")) {
      kj::StringPtr wanted = path == "/workerd/workerd.capnp" ? "workerd.capnp"
                             : path == "/capnp/c++.capnp"     ? "c++.capnp"
                                                              : "";
      for (auto& file: embedded::getSchemaFiles()) {
        if (wanted.size() > 0 && kj::StringPtr(file.name) == wanted) {
          return kj::Own<capnp::SchemaFile>(kj::heap<ConfigFile>(kj::str(path), &file, errors));
        }
      }
      return nullptr;
    }
    if (embedded != nullptr)
      return nullptr;
    auto target = kj::str(dirName(name), path);
    if (access(target.cStr(), R_OK) != 0)
      return nullptr;
    return kj::Own<capnp::SchemaFile>(kj::heap<ConfigFile>(kj::mv(target), errors));
  }

  bool operator==(const SchemaFile& other) const override {
    auto o = dynamic_cast<const ConfigFile*>(&other);
    return o != nullptr && o->name == name;
  }
  bool operator!=(const SchemaFile& other) const override { return !(*this == other); }
  size_t hashCode() const override { return kj::hashCode(name); }

  void reportError(SourcePos start, SourcePos end, kj::StringPtr message) const override {
    // workerd configs never declare a file ID; the compiler's generated one is fine for kiln.
    if (message.startsWith("File does not declare an ID."))
      return;
    errors.add(kj::str(name, ":", start.line + 1, ":", start.column + 1, ": ", message));
  }

 private:
  kj::String name;
  const EmbeddedFile* embedded;
  ConfigErrors& errors;
};

template <typename T>
kj::Maybe<kj::StringPtr> nonEmpty(T text) {
  if (text.size() == 0)
    return nullptr;
  return kj::StringPtr(text);
}

}  // namespace

bool parseHostPort(kj::StringPtr address, kj::String& host, unsigned& port) {
  KJ_IF_MAYBE (colon, address.findLast(':')) {
    auto hostPart = kj::heapString(address.slice(0, *colon));
    kj::StringPtr portPart = address.slice(*colon + 1);
    if (hostPart.size() == 0 || portPart.size() == 0 || portPart.size() > 5)
      return false;
    unsigned value = 0;
    for (char c: portPart) {
      if (c < '0' || c > '9')
        return false;
      value = value * 10 + (c - '0');
    }
    if (value > 65535)
      return false;
    if (hostPart.startsWith("[")) {
      if (!hostPart.endsWith("]"))
        return false;
    } else if (hostPart.findFirst(':') != nullptr) {
      return false;  // An IPv6 address must be bracketed.
    }
    host = kj::mv(hostPart);
    port = value;
    return true;
  }
  return false;
}

ParsedConfig::ParsedConfig(kj::String path, kj::String text)
    : path(kj::mv(path)), text(kj::mv(text)) {}
ParsedConfig::~ParsedConfig() noexcept(false) {}

kj::Maybe<kj::Own<ParsedConfig>> ParsedConfig::load(kj::StringPtr path,
                                                    kj::Maybe<kj::StringPtr> constName,
                                                    kj::ArrayPtr<const kj::String> overrides,
                                                    ConfigErrors& errors) {
  kj::String text;
  KJ_IF_MAYBE (t, readFile(path)) {
    text = kj::mv(*t);
  } else {
    errors.add(kj::str(path, ":1:1: cannot read config file: ", strerror(errno ? errno : ENOENT)));
    return nullptr;
  }
  auto result = kj::heap<ParsedConfig>(kj::heapString(path), kj::mv(text));
  result->parser.loadCompiledTypeAndDependencies<config::Config>();

  kj::Maybe<capnp::ParsedSchema> file;
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 file =
                     result->parser.parseFile(kj::heap<ConfigFile>(kj::heapString(path), errors));
               })) {
    if (errors.empty())
      errors.add(kj::str(path, ":1:1: ", exception->getDescription()));
    return nullptr;
  }
  if (!errors.empty())
    return nullptr;

  auto configId = capnp::typeId<config::Config>();
  kj::Vector<capnp::ParsedSchema> candidates;
  KJ_IF_MAYBE (f, file) {
    for (auto nested: f->getAllNested()) {
      auto proto = nested.getProto();
      if (!proto.isConst())
        continue;
      auto type = proto.getConst().getType();
      if (!type.isStruct() || type.getStruct().getTypeId() != configId)
        continue;
      KJ_IF_MAYBE (name, constName) {
        if (proto.getDisplayName().endsWith(kj::str(":", *name)))
          candidates.add(nested);
      } else {
        candidates.add(nested);
      }
    }
  }
  if (candidates.size() == 0) {
    KJ_IF_MAYBE (name, constName) {
      errors.add(kj::str(path, ":1:1: no constant named \"", *name, "\" of type Workerd.Config"));
    } else {
      errors.add(kj::str(path,
                         ":1:1: the file declares no constant of type Workerd.Config "
                         "(e.g. `const config :Workerd.Config = (...);`)"));
    }
    return nullptr;
  }
  if (candidates.size() > 1) {
    errors.add(kj::str(path,
                       ":1:1: the file declares several Workerd.Config constants; name "
                       "the one to use after the file name"));
    return nullptr;
  }
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 result->root = candidates[0].asConst().as<config::Config>();
               })) {
    errors.add(kj::str(path, ":1:1: ", exception->getDescription()));
    return nullptr;
  }
  for (auto& override: overrides) {
    bool known = false;
    KJ_IF_MAYBE (eq, override.findFirst('=')) {
      auto name = kj::heapString(override.slice(0, *eq));
      for (auto socket: result->root.getSockets())
        known = known || socket.getName() == name;
      if (known) {
        result->socketOverrides.upsert(
            kj::mv(name), kj::heapString(override.slice(*eq + 1)),
            [](kj::String& existing, kj::String&& replacement) { existing = kj::mv(replacement); });
      }
    }
    if (!known) {
      errors.add(kj::str("--socket-addr ", override,
                         ": expected NAME=HOST:PORT naming a socket "
                         "of the config"));
    }
  }
  result->validate(errors);
  if (!errors.empty())
    return nullptr;
  return kj::mv(result);
}

kj::String ParsedConfig::locate(kj::StringPtr value, kj::StringPtr message) const {
  auto needle = kj::str("\"", value, "\"");
  unsigned line = 1, col = 1;
  const char* found = strstr(text.cStr(), needle.cStr());
  if (found != nullptr) {
    for (const char* p = text.cStr(); p < found; p++) {
      if (*p == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
  }
  return kj::str(path, ":", line, ":", col, ": ", message);
}

kj::StringPtr ParsedConfig::socketAddress(config::Socket::Reader socket) const {
  KJ_IF_MAYBE (address, socketOverrides.find(socket.getName())) {
    return *address;
  }
  return socket.getAddress();
}

void ParsedConfig::validate(ConfigErrors& errors) const {
  kj::HashMap<kj::StringPtr, config::Service::Reader> services;
  for (auto service: root.getServices()) {
    auto name = service.getName();
    if (name.size() == 0) {
      errors.add(locate("", "a service has no name"));
      continue;
    }
    if (services.find(name) != nullptr) {
      errors.add(locate(name, kj::str("duplicate service name \"", name, "\"")));
      continue;
    }
    services.insert(name, service);
  }

  auto checkDesignator = [&](config::ServiceDesignator::Reader d, kj::StringPtr where) {
    auto name = d.getName();
    if (services.find(name) == nullptr && name != "internet") {
      errors.add(locate(name, kj::str(where, " refers to unknown service \"", name, "\"")));
      return;
    }
    if (d.getProps().isJson()) {
      // Props must be valid JSON; checked when the worker starts, which reports it too.
    }
    if (d.hasEntrypoint()) {
      KJ_IF_MAYBE (service, services.find(name)) {
        if (!service->isWorker()) {
          errors.add(
              locate(d.getEntrypoint(), kj::str(where, " names entrypoint \"", d.getEntrypoint(),
                                                "\" but service \"", name, "\" is not a worker")));
        }
      }
    }
  };

  for (auto service: root.getServices()) {
    auto name = service.getName();
    switch (service.which()) {
      case config::Service::UNSPECIFIED:
        errors.add(locate(name, kj::str("service \"", name,
                                        "\" has no kind: give it one of "
                                        "worker, network, external or disk")));
        break;
      case config::Service::WORKER: {
        auto worker = service.getWorker();
        auto where = kj::str("worker \"", name, "\"");
        if (worker.getModules().size() == 0) {
          errors.add(locate(name, kj::str(where, " has no modules")));
        } else if (!worker.getModules()[0].isEsModule() &&
                   !worker.getModules()[0].isCommonJsModule()) {
          errors.add(locate(worker.getModules()[0].getName(),
                            kj::str(where,
                                    ": the first module is the main module and must be "
                                    "an esModule or commonJsModule")));
        }
        kj::HashSet<kj::StringPtr> moduleNames;
        for (auto module: worker.getModules()) {
          if (moduleNames.contains(module.getName())) {
            errors.add(locate(module.getName(),
                              kj::str(where, " has two modules named \"", module.getName(), "\"")));
          }
          moduleNames.upsert(module.getName(), [](auto&, auto&&) {});
        }
        auto date = worker.getCompatibilityDate();
        if (date.size() == 0) {
          errors.add(locate(name, kj::str(where, " has no compatibilityDate")));
        } else if (date.size() != 10 || date[4] != '-' || date[7] != '-') {
          errors.add(locate(date, kj::str(where,
                                          ": compatibilityDate must look like "
                                          "\"2024-01-31\", got \"",
                                          date, "\"")));
        }
        kj::HashSet<kj::StringPtr> bindingNames;
        for (auto binding: worker.getBindings()) {
          auto bname = binding.getName();
          auto bwhere = kj::str(where, " binding \"", bname, "\"");
          if (bindingNames.contains(bname)) {
            errors.add(locate(bname, kj::str(where, " has two bindings named \"", bname, "\"")));
          }
          bindingNames.upsert(bname, [](auto&, auto&&) {});
          switch (binding.which()) {
            case config::Worker::Binding::UNSPECIFIED:
              errors.add(locate(bname, kj::str(bwhere, " has no value")));
              break;
            case config::Worker::Binding::SERVICE:
              checkDesignator(binding.getService(), bwhere);
              break;
            case config::Worker::Binding::DURABLE_OBJECT_NAMESPACE: {
              auto d = binding.getDurableObjectNamespace();
              kj::StringPtr target = d.hasServiceName() ? d.getServiceName() : name;
              bool found = false;
              KJ_IF_MAYBE (s, services.find(target)) {
                if (s->isWorker()) {
                  for (auto ns: s->getWorker().getDurableObjectNamespaces()) {
                    found = found || ns.getClassName() == d.getClassName();
                  }
                }
              }
              if (!found) {
                errors.add(locate(d.getClassName().size() > 0 ? d.getClassName() : bname,
                                  kj::str(bwhere, ": worker \"", target,
                                          "\" declares no "
                                          "durableObjectNamespaces entry with className \"",
                                          d.getClassName(), "\"")));
              }
              break;
            }
            case config::Worker::Binding::WORKER_LOADER: {
              auto loader = binding.getWorkerLoader();
              if (loader.getHeapMb() < 4 || loader.getCpuMs() == 0 ||
                  loader.getSubRequests() == 0) {
                errors.add(locate(bname, kj::str(bwhere,
                                                 ": workerLoader limits must be "
                                                 "positive (heapMb at least 4)")));
              }
              break;
            }
            default:
              break;
          }
        }
        if (worker.hasGlobalOutbound()) {
          checkDesignator(worker.getGlobalOutbound(), kj::str(where, " globalOutbound"));
        }
        if (worker.getDurableObjectStorage().isLocalDisk()) {
          auto disk = worker.getDurableObjectStorage().getLocalDisk();
          KJ_IF_MAYBE (s, services.find(disk)) {
            if (!s->isDisk() || !s->getDisk().getWritable()) {
              errors.add(locate(disk, kj::str(where, ": durableObjectStorage localDisk \"", disk,
                                              "\" must name a disk service with "
                                              "writable = true")));
            }
          } else {
            errors.add(locate(disk, kj::str(where,
                                            ": durableObjectStorage refers to unknown "
                                            "service \"",
                                            disk, "\"")));
          }
        }
        for (auto tail: worker.getTails()) {
          checkDesignator(tail, kj::str(where, " tail"));
        }
        for (auto tail: worker.getStreamingTails()) {
          checkDesignator(tail, kj::str(where, " streaming tail"));
        }
        break;
      }
      case config::Service::NETWORK:
        for (auto rule: service.getNetwork().getAllow()) {
          (void)rule;
        }
        break;
      case config::Service::EXTERNAL: {
        kj::String host;
        unsigned port;
        auto address = service.getExternal().getAddress();
        if (!parseHostPort(address, host, port)) {
          errors.add(locate(address.size() > 0 ? address : name,
                            kj::str("external service \"", name, "\": address \"", address,
                                    "\" is not host:port")));
        }
        break;
      }
      case config::Service::DISK: {
        auto diskPath = service.getDisk().getPath();
        struct stat st;
        if (diskPath.size() == 0) {
          errors.add(locate(name, kj::str("disk service \"", name, "\" has no path")));
        } else if (stat(diskPath.cStr(), &st) != 0 || !S_ISDIR(st.st_mode)) {
          errors.add(locate(diskPath, kj::str("disk service \"", name, "\": \"", diskPath,
                                              "\" is not a directory")));
        }
        break;
      }
    }
  }

  // Two namespaces with one uniqueKey would share ids and files.
  kj::HashSet<kj::StringPtr> uniqueKeys;
  for (auto service: root.getServices()) {
    if (!service.isWorker())
      continue;
    for (auto ns: service.getWorker().getDurableObjectNamespaces()) {
      if (!ns.isUniqueKey())
        continue;
      if (uniqueKeys.contains(ns.getUniqueKey())) {
        errors.add(locate(ns.getUniqueKey(), kj::str("two Durable Object namespaces use the "
                                                     "uniqueKey \"",
                                                     ns.getUniqueKey(), "\"")));
      }
      uniqueKeys.upsert(ns.getUniqueKey(), [](auto&, auto&&) {});
    }
  }

  // A worker whose outbound requests lead back to itself would loop forever on every fetch().
  for (auto service: root.getServices()) {
    if (!service.isWorker())
      continue;
    kj::Vector<kj::StringPtr> chain;
    chain.add(service.getName());
    auto current = service;
    while (current.isWorker() && current.getWorker().hasGlobalOutbound()) {
      auto next = current.getWorker().getGlobalOutbound().getName();
      bool loops = false;
      for (auto& seen: chain)
        loops = loops || seen == next;
      chain.add(next);
      if (loops) {
        if (next == service.getName()) {
          errors.add(locate(next, kj::str("globalOutbound cycle: ", kj::strArray(chain, " -> "))));
        }
        break;
      }
      KJ_IF_MAYBE (s, services.find(next)) {
        current = *s;
      } else {
        break;
      }
    }
  }

  kj::HashSet<kj::StringPtr> socketNames;
  for (auto socket: root.getSockets()) {
    auto name = socket.getName();
    if (socketNames.contains(name)) {
      errors.add(locate(name, kj::str("duplicate socket name \"", name, "\"")));
    }
    socketNames.upsert(name, [](auto&, auto&&) {});
    kj::String host;
    unsigned port;
    auto address = socketAddress(socket);
    if (address.startsWith("unix:")) {
      // A unix socket's path: main.c++ reports what binding it runs into.
    } else if (!parseHostPort(address, host, port)) {
      errors.add(locate(address.size() > 0 ? address : name,
                        kj::str("socket \"", name, "\": address \"", address,
                                "\" is not host:port (e.g. \"127.0.0.1:8080\" or \"*:8080\") "
                                "or unix:PATH")));
    }
    int kinds = socket.hasHttp() + socket.hasCapnp() + socket.hasAdmin();
    if (kinds != 1) {
      errors.add(locate(name, kj::str("socket \"", name,
                                      "\" needs exactly one of http = (), "
                                      "capnp = () and admin = ()")));
    }
    if (socket.hasAdmin()) {
      if (socket.hasService()) {
        errors.add(locate(name, kj::str("socket \"", name,
                                        "\": an admin socket serves kiln's "
                                        "own /metrics and takes no service")));
      }
    } else if (!socket.hasService()) {
      errors.add(locate(name, kj::str("socket \"", name, "\" has no service")));
    } else {
      checkDesignator(socket.getService(), kj::str("socket \"", name, "\""));
    }
    if (socket.hasCapnp() && socket.getCapnp().hasWorkerLoader()) {
      // The grant must name a loader the socket's own worker holds: a socket cannot reach
      // into any other worker's bindings.
      auto binding = socket.getCapnp().getWorkerLoader();
      bool found = false;
      KJ_IF_MAYBE (service, services.find(socket.getService().getName())) {
        if (service->isWorker()) {
          for (auto b: service->getWorker().getBindings()) {
            found = found || (b.getName() == binding && b.isWorkerLoader());
          }
        }
      }
      if (!found) {
        errors.add(locate(binding, kj::str("socket \"", name, "\": capnp.workerLoader \"", binding,
                                           "\" is not a workerLoader binding of service \"",
                                           socket.getService().getName(), "\"")));
      }
    }
  }
}

}  // namespace kiln::server
