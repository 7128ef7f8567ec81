#include "src/server/capnp-socket.h"

#include "config-schema/rpc.capnp.h"

#include <kj/debug.h>

namespace kiln::server {
namespace {

kj::Exception forPeer(kj::Exception&& e) {
  // Only what the worker (or the loader's checks) said reaches the peer, never KJ's internals.
  KJ_IF_MAYBE (user, api::parseUserError(e)) {
    return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                         kj::str(kj::get<0>(*user), ": ", kj::get<1>(*user)));
  }
  return kj::mv(e);
}

kj::Promise<void> noLoader() {
  return KJ_EXCEPTION(FAILED,
                      "Error: this socket grants no Worker Loader (see capnp.workerLoader in the "
                      "config).");
}

class EntrypointServer final : public rpc::Entrypoint::Server {
 public:
  EntrypointServer(kj::Own<api::Capability> target, kj::HttpHeaderTable& headerTable,
                   kj::Maybe<loader::OutsideLoader&> loader)
      : target(kj::mv(target)), headerTable(headerTable), loader(loader) {}

  kj::Promise<void> getLoader(GetLoaderContext context) override;

  kj::Promise<void> call(CallContext context) override {
    auto params = context.getParams();
    return target->callJson(kj::str(params.getMethod()), kj::str(params.getParamsJson()))
        .then(
            [context](kj::String json) mutable -> kj::Promise<void> {
              context.getResults().setResultJson(json);
              return kj::READY_NOW;
            },
            [](kj::Exception&& e) -> kj::Promise<void> { return forPeer(kj::mv(e)); });
  }

  kj::Promise<void> fetch(FetchContext context) override {
    auto request = context.getParams().getRequest();
    kj::HttpMethod method;
    KJ_IF_MAYBE (m, kj::tryParseHttpMethod(request.getMethod())) {
      method = *m;
    } else {
      return KJ_EXCEPTION(FAILED, "TypeError: invalid HTTP method", request.getMethod());
    }
    auto headers = kj::heap<kj::HttpHeaders>(headerTable);
    for (auto header: request.getHeaders()) {
      headers->add(kj::str(header.getName()), kj::str(header.getValue()));
    }
    auto body = kj::heapArray<kj::byte>(request.getBody());
    auto url = kj::str(request.getUrl());
    auto client = kj::newHttpClient(*target);
    auto req = client->request(method, url, *headers, uint64_t(body.size()));
    auto bodyPtr = body.asPtr();
    auto sent =
        req.body->write(bodyPtr.begin(), bodyPtr.size()).attach(kj::mv(req.body), kj::mv(body));
    return sent.then([response = kj::mv(req.response)]() mutable { return kj::mv(response); })
        .then([context](kj::HttpClient::Response&& response) mutable {
          auto stream = kj::mv(response.body);
          auto& streamRef = *stream;
          return streamRef.readAllBytes().then(
              [context, response = kj::mv(response),
               stream = kj::mv(stream)](kj::Array<kj::byte> bytes) mutable {
                auto out = context.getResults().initResponse();
                out.setStatus(response.statusCode);
                out.setStatusText(response.statusText);
                kj::Vector<kj::Tuple<kj::String, kj::String>> list;
                response.headers->forEach([&](kj::StringPtr name, kj::StringPtr value) {
                  list.add(kj::tuple(kj::str(name), kj::str(value)));
                });
                auto headers = out.initHeaders(list.size());
                for (size_t i = 0; i < list.size(); i++) {
                  headers[i].setName(kj::get<0>(list[i]));
                  headers[i].setValue(kj::get<1>(list[i]));
                }
                out.setBody(bytes);
              });
        })
        .attach(kj::mv(client), kj::mv(headers), kj::mv(url))
        .catch_([](kj::Exception&& e) -> kj::Promise<void> { return forPeer(kj::mv(e)); });
  }

 private:
  kj::Own<api::Capability> target;
  kj::HttpHeaderTable& headerTable;
  kj::Maybe<loader::OutsideLoader&> loader;
};

class DynamicWorkerServer final : public rpc::DynamicWorker::Server {
 public:
  DynamicWorkerServer(kj::Own<loader::WorkerHandle> worker, loader::OutsideLoader& loader,
                      kj::HttpHeaderTable& headerTable)
      : worker(kj::mv(worker)), loader(loader), headerTable(headerTable) {}

  kj::Promise<void> getEntrypoint(GetEntrypointContext context) override {
    auto params = context.getParams();
    kj::Maybe<kj::StringPtr> name;
    if (params.getName().size() > 0)
      name = params.getName();
    kj::Maybe<kj::StringPtr> props;
    if (params.getPropsJson().size() > 0)
      props = params.getPropsJson();
    auto cap = loader.getEntrypoint(*worker, name, props);
    // Entrypoints of dynamic workers do not hand out the loader again.
    context.getResults().setEntrypoint(
        kj::heap<EntrypointServer>(kj::mv(cap), headerTable, nullptr));
    return kj::READY_NOW;
  }

 private:
  kj::Own<loader::WorkerHandle> worker;
  loader::OutsideLoader& loader;
  kj::HttpHeaderTable& headerTable;
};

loader::CodeFromOutside readCode(rpc::WorkerCode::Reader in) {
  loader::CodeFromOutside code;
  code.compatibilityDate = kj::str(in.getCompatibilityDate());
  auto flags = kj::heapArrayBuilder<kj::String>(in.getCompatibilityFlags().size());
  for (auto flag: in.getCompatibilityFlags())
    flags.add(kj::str(flag));
  code.flags = flags.finish();
  code.mainModule = kj::str(in.getMainModule());
  auto modules = kj::heapArrayBuilder<js::ModuleSource>(in.getModules().size());
  for (auto m: in.getModules()) {
    using Type = js::ModuleSource::Type;
    auto text = [](capnp::Text::Reader t) { return kj::heapArray<kj::byte>(t.asBytes()); };
    switch (m.which()) {
      case rpc::Module::ES_MODULE:
        modules.add(js::ModuleSource{kj::str(m.getName()), Type::ES, text(m.getEsModule())});
        break;
      case rpc::Module::COMMON_JS_MODULE:
        modules.add(
            js::ModuleSource{kj::str(m.getName()), Type::COMMON_JS, text(m.getCommonJsModule())});
        break;
      case rpc::Module::TEXT:
        modules.add(js::ModuleSource{kj::str(m.getName()), Type::TEXT, text(m.getText())});
        break;
      case rpc::Module::DATA:
        modules.add(js::ModuleSource{kj::str(m.getName()), Type::DATA,
                                     kj::heapArray<kj::byte>(m.getData())});
        break;
      case rpc::Module::JSON:
        modules.add(js::ModuleSource{kj::str(m.getName()), Type::JSON, text(m.getJson())});
        break;
      default:
        kj::throwFatalException(api::userError(
            "TypeError", kj::str("WorkerCode.modules: module \"", m.getName(),
                                 "\" has a kind this version of kiln does not know.")));
    }
  }
  code.modules = modules.finish();
  if (in.hasEnvJson())
    code.envJson = kj::str(in.getEnvJson());
  code.allowOutbound = in.getAllowOutbound();
  auto limits = in.getLimits();
  code.limits = io::IoLimits{limits.getSubRequests(), limits.getCpuMs()};
  return code;
}

class LoaderServer final : public rpc::Loader::Server {
 public:
  LoaderServer(loader::OutsideLoader& loader, kj::HttpHeaderTable& headerTable)
      : loader(loader), headerTable(headerTable) {}

  kj::Promise<void> load(LoadContext context) override {
    return answer(context, [&]() { return loader.load(readCode(context.getParams().getCode())); });
  }

  kj::Promise<void> get(GetContext context) override {
    return answer(context, [&]() {
      auto params = context.getParams();
      return loader.get(params.getId(), readCode(params.getCode()));
    });
  }

 private:
  loader::OutsideLoader& loader;
  kj::HttpHeaderTable& headerTable;

  template <typename Context, typename Func>
  kj::Promise<void> answer(Context& context, Func&& func) {
    KJ_IF_MAYBE (e, kj::runCatchingExceptions([&]() {
                   context.getResults().setWorker(
                       kj::heap<DynamicWorkerServer>(func(), loader, headerTable));
                 })) {
      return forPeer(kj::mv(*e));
    }
    return kj::READY_NOW;
  }
};

kj::Promise<void> EntrypointServer::getLoader(GetLoaderContext context) {
  KJ_IF_MAYBE (l, loader) {
    context.getResults().setLoader(kj::heap<LoaderServer>(*l, headerTable));
    return kj::READY_NOW;
  }
  return noLoader();
}

}  // namespace

capnp::Capability::Client newEntrypointServer(kj::Own<api::Capability> target,
                                              kj::HttpHeaderTable& headerTable,
                                              kj::Maybe<loader::OutsideLoader&> loader) {
  return kj::heap<EntrypointServer>(kj::mv(target), headerTable, loader);
}

}  // namespace kiln::server
