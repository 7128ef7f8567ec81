#include "src/server/capnp-socket.h"

#include "config-schema/rpc.capnp.h"

#include <kj/debug.h>

namespace kiln::server {
namespace {

class EntrypointServer final : public rpc::Entrypoint::Server {
 public:
  EntrypointServer(kj::Own<api::Capability> target, kj::HttpHeaderTable& headerTable)
      : target(kj::mv(target)), headerTable(headerTable) {}

  kj::Promise<void> call(CallContext context) override {
    auto params = context.getParams();
    return target->callJson(kj::str(params.getMethod()), kj::str(params.getParamsJson()))
        .then(
            [context](kj::String json) mutable -> kj::Promise<void> {
              context.getResults().setResultJson(json);
              return kj::READY_NOW;
            },
            [](kj::Exception&& e) -> kj::Promise<void> {
              // Only what the worker threw reaches the caller, never KJ's internals.
              KJ_IF_MAYBE (user, api::parseUserError(e)) {
                return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                                     kj::str(kj::get<0>(*user), ": ", kj::get<1>(*user)));
              }
              return kj::mv(e);
            });
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
        .attach(kj::mv(client), kj::mv(headers), kj::mv(url));
  }

 private:
  kj::Own<api::Capability> target;
  kj::HttpHeaderTable& headerTable;
};

}  // namespace

capnp::Capability::Client newEntrypointServer(kj::Own<api::Capability> target,
                                              kj::HttpHeaderTable& headerTable) {
  return kj::heap<EntrypointServer>(kj::mv(target), headerTable);
}

}  // namespace kiln::server
