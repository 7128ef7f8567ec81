#include "src/server/services.h"

#include "src/util/metrics.h"

#include <kj/compat/tls.h>
#include <kj/compat/url.h>
#include <kj/debug.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::server {
namespace {

// An HttpService over an HttpClient the service owns.
class ClientService final : public Service {
 public:
  explicit ClientService(kj::Own<kj::HttpClient> client, kj::Own<void> resources = {})
      : resources(kj::mv(resources)), client(kj::mv(client)) {}
  kj::Own<api::Capability> entrypoint(kj::Maybe<kj::StringPtr>, kj::Maybe<kj::StringPtr>) override {
    return api::newServiceCapability(kj::newHttpService(*client));
  }

 private:
  kj::Own<void> resources;
  kj::Own<kj::HttpClient> client;
};

// An `external` service's requests go to one fixed address, so the request line carries the
// path alone and the URL's host goes in the Host header, as workerd sends them (kj's client for
// a fixed address would send the absolute URL, which many servers refuse).
class OriginFormService final : public kj::HttpService {
 public:
  explicit OriginFormService(kj::Own<kj::HttpClient> client)
      : client(kj::mv(client)), inner(kj::newHttpService(*this->client)) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    if (url.startsWith("/"))
      return inner->request(method, url, headers, requestBody, response);
    KJ_IF_MAYBE (parsed, kj::Url::tryParse(url, kj::Url::HTTP_PROXY_REQUEST)) {
      auto path = parsed->toString(kj::Url::HTTP_REQUEST);
      auto copy = kj::heap(headers.clone());
      copy->set(kj::HttpHeaderId::HOST, kj::str(parsed->host));
      auto& ref = *copy;
      return inner->request(method, path, ref, requestBody, response)
          .attach(kj::mv(copy), kj::mv(path));
    }
    return inner->request(method, url, headers, requestBody, response);
  }

 private:
  kj::Own<kj::HttpClient> client;
  kj::Own<kj::HttpService> inner;
};

class ServiceOwner final : public Service {
  // A Service over an HttpService it owns.
 public:
  explicit ServiceOwner(kj::Own<kj::HttpService> service, kj::Own<void> resources = {})
      : resources(kj::mv(resources)), service(kj::mv(service)) {}
  kj::Own<api::Capability> entrypoint(kj::Maybe<kj::StringPtr>, kj::Maybe<kj::StringPtr>) override {
    return api::newServiceCapability(
        kj::Own<kj::HttpService>(service.get(), kj::NullDisposer::instance));
  }

 private:
  kj::Own<void> resources;
  kj::Own<kj::HttpService> service;
};

struct NetworkResources {
  kj::Own<kj::Network> restricted;
  kj::Own<kj::TlsContext> tls;
  kj::Own<kj::Network> tlsNetwork;
};

class DiskService final : public Service, public kj::HttpService {
  // Read-only static files. Durable Object storage uses the directory directly, not this.
 public:
  DiskService(kj::HttpHeaderTable& table, config::DiskDirectory::Reader disk)
      : table(table),
        root(kj::heapString(disk.getPath())),
        allowDotfiles(disk.getAllowDotfiles()) {}

  kj::Own<api::Capability> entrypoint(kj::Maybe<kj::StringPtr>, kj::Maybe<kj::StringPtr>) override {
    return api::newServiceCapability(kj::Own<kj::HttpService>(this, kj::NullDisposer::instance));
  }

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    kj::HttpHeaders out(table);
    if (method != kj::HttpMethod::GET && method != kj::HttpMethod::HEAD) {
      return send(response, 405, "Method Not Allowed", out);
    }
    // Only the path; reject anything that could climb out of the directory.
    kj::StringPtr path = url;
    if (!path.startsWith("/")) {
      KJ_IF_MAYBE (scheme, path.findFirst(':')) {
        auto rest = path.slice(*scheme + 3);
        KJ_IF_MAYBE (slash, rest.findFirst('/')) {
          path = rest.slice(*slash);
        } else {
          path = "/";
        }
      }
    }
    auto clean = kj::heapString(path);
    KJ_IF_MAYBE (q, clean.findFirst('?')) {
      clean = kj::heapString(clean.slice(0, *q));
    }
    if (clean.findFirst('%') != nullptr || strstr(clean.cStr(), "/.") != nullptr) {
      if (!allowDotfiles || strstr(clean.cStr(), "..") != nullptr ||
          clean.findFirst('%') != nullptr) {
        return send(response, 404, "Not Found", out);
      }
    }
    auto file = kj::str(root, clean);
    int fd = open(file.cStr(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      if (fd >= 0)
        close(fd);
      return send(response, 404, "Not Found", out);
    }
    kj::FdInputStream in((kj::AutoCloseFd(fd)));
    auto content = in.readAllBytes();
    out.set(kj::HttpHeaderId::CONTENT_TYPE, "application/octet-stream");
    auto stream = response.send(200, "OK", out, uint64_t(content.size()));
    auto ptr = content.asPtr();
    return stream->write(ptr.begin(), ptr.size()).attach(kj::mv(stream), kj::mv(content));
  }

 private:
  kj::HttpHeaderTable& table;
  kj::String root;
  bool allowDotfiles;

  kj::Promise<void> send(Response& response, unsigned status, kj::StringPtr text,
                         kj::HttpHeaders& headers) {
    auto stream = response.send(status, text, headers, uint64_t(text.size()));
    return stream->write(text.begin(), text.size()).attach(kj::mv(stream));
  }
};

// Forwards to a worker's entrypoint once the worker exists.
class LazyEntrypoint final : public api::Capability {
 public:
  LazyEntrypoint(WorkerService& service, kj::Maybe<kj::String> entry, kj::Maybe<kj::String> props)
      : service(service), entry(kj::mv(entry)), props(kj::mv(props)) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    if (target.get() == nullptr) {
      KJ_IF_MAYBE (worker, service.getWorker()) {
        target = worker->getEntrypoint(entry.map([](kj::String& s) -> kj::StringPtr { return s; }),
                                       props.map([](kj::String& s) -> kj::StringPtr { return s; }));
      } else {
        return KJ_EXCEPTION(DISCONNECTED, "worker not started");
      }
    }
    return target->request(method, url, headers, requestBody, response);
  }

  kj::Promise<api::CallResult> call(kj::String method, api::SerializedValue args) override {
    KJ_IF_MAYBE (worker, service.getWorker()) {
      return worker->handleCall(entry.map([](kj::String& s) -> kj::StringPtr { return s; }),
                                props.map([](kj::String& s) -> kj::StringPtr { return s; }),
                                kj::mv(method), kj::mv(args), io::IoLimits::unlimited());
    }
    return KJ_EXCEPTION(DISCONNECTED, "worker not started");
  }

  kj::Promise<kj::String> callJson(kj::String method, kj::String paramsJson) override {
    KJ_IF_MAYBE (worker, service.getWorker()) {
      return worker->handleJsonCall(entry.map([](kj::String& s) -> kj::StringPtr { return s; }),
                                    props.map([](kj::String& s) -> kj::StringPtr { return s; }),
                                    kj::mv(method), kj::mv(paramsJson), io::IoLimits::unlimited());
    }
    return KJ_EXCEPTION(DISCONNECTED, "worker not started");
  }

 private:
  WorkerService& service;
  kj::Maybe<kj::String> entry;
  kj::Maybe<kj::String> props;
  kj::Own<api::Capability> target;
};

class AdminService final : public kj::HttpService {
 public:
  explicit AdminService(kj::HttpHeaderTable& table) : table(table) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    kj::HttpHeaders out(table);
    kj::String body;
    unsigned status = 200;
    kj::StringPtr statusText = "OK";
    if (url.startsWith("/metrics")) {
      out.set(kj::HttpHeaderId::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
      body = metrics::render();
    } else if (url.startsWith("/healthz")) {
      body = kj::str("ok\n");
    } else {
      status = 404;
      statusText = "Not Found";
      body = kj::str("kiln admin: try /metrics or /healthz\n");
    }
    auto stream = response.send(status, statusText, out, uint64_t(body.size()));
    auto ptr = body.asPtr();
    return stream->write(ptr.begin(), ptr.size()).attach(kj::mv(stream), kj::mv(body));
  }

 private:
  kj::HttpHeaderTable& table;
};

}  // namespace

kj::Own<api::Capability> newAdminService(kj::HttpHeaderTable& table) {
  return api::newServiceCapability(kj::heap<AdminService>(table));
}

kj::Own<api::Capability> WorkerService::entrypoint(kj::Maybe<kj::StringPtr> entry,
                                                   kj::Maybe<kj::StringPtr> propsJson) {
  return kj::refcounted<LazyEntrypoint>(*this,
                                        entry.map([](kj::StringPtr s) { return kj::str(s); }),
                                        propsJson.map([](kj::StringPtr s) { return kj::str(s); }));
}

kj::Maybe<worker::Worker&> WorkerService::getWorker() {
  KJ_IF_MAYBE (w, worker) {
    return **w;
  }
  return nullptr;
}

kj::Own<Service> newNetworkService(kj::AsyncIoContext& io, kj::HttpHeaderTable& table,
                                   config::Network::Reader network) {
  kj::Vector<kj::StringPtr> allow, deny;
  for (auto rule: network.getAllow())
    allow.add(rule);
  for (auto rule: network.getDeny())
    deny.add(rule);
  auto resources = kj::heap<NetworkResources>();
  resources->restricted = io.provider->getNetwork().restrictPeers(allow, deny);
  kj::TlsContext::Options options;
  options.useSystemTrustStore = true;
  resources->tls = kj::heap<kj::TlsContext>(kj::mv(options));
  resources->tlsNetwork = resources->tls->wrapNetwork(*resources->restricted);
  auto client = kj::newHttpClient(io.provider->getTimer(), table, *resources->restricted,
                                  *resources->tlsNetwork);
  return kj::heap<ClientService>(kj::mv(client), kj::mv(resources));
}

kj::Own<Service> newExternalService(kj::AsyncIoContext& io, kj::HttpHeaderTable& table,
                                    kj::Own<kj::NetworkAddress> address) {
  auto client = kj::newHttpClient(io.provider->getTimer(), table, *address);
  return kj::heap<ServiceOwner>(kj::heap<OriginFormService>(kj::mv(client)), kj::mv(address));
}

kj::Own<Service> newDiskService(kj::HttpHeaderTable& table, config::DiskDirectory::Reader disk) {
  return kj::heap<DiskService>(table, disk);
}

}  // namespace kiln::server
