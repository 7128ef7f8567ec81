#include "src/api/capability.h"

namespace kiln::api {
namespace {

class ServiceCapability final : public Capability {
 public:
  explicit ServiceCapability(kj::Own<kj::HttpService> service) : service(kj::mv(service)) {}
  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    return service->request(method, url, headers, requestBody, response);
  }

 private:
  kj::Own<kj::HttpService> service;
};

constexpr kj::StringPtr USER_ERROR_PREFIX = "jsg."_kj;

}  // namespace

kj::Promise<CallResult> Capability::call(kj::String method, SerializedValue args) {
  return userError("TypeError",
                   kj::str("The RPC receiver does not implement the method \"", method, "\"."));
}

kj::Promise<kj::String> Capability::callJson(kj::String method, kj::String paramsJson) {
  return userError("TypeError",
                   kj::str("The RPC receiver does not implement the method \"", method, "\"."));
}

kj::Own<Capability> newServiceCapability(kj::Own<kj::HttpService> service) {
  return kj::refcounted<ServiceCapability>(kj::mv(service));
}

kj::Exception userError(kj::StringPtr type, kj::StringPtr message) {
  return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                       kj::str(USER_ERROR_PREFIX, type, ": ", message));
}

kj::Maybe<kj::Tuple<kj::String, kj::String>> parseUserError(const kj::Exception& e) {
  auto description = e.getDescription();
  if (!description.startsWith(USER_ERROR_PREFIX))
    return nullptr;
  auto rest = description.slice(USER_ERROR_PREFIX.size());
  KJ_IF_MAYBE (colon, rest.findFirst(':')) {
    if (*colon + 2 <= rest.size()) {
      return kj::tuple(kj::heapString(rest.slice(0, *colon)),
                       kj::heapString(rest.slice(*colon + 2)));
    }
  }
  return nullptr;
}

}  // namespace kiln::api
