#include "src/api/capability.h"

#include "src/io/io-context.h"

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

class ScopedCapability final : public Capability, public io::Revocable {
 public:
  explicit ScopedCapability(kj::Own<Capability> inner) : inner(kj::mv(inner)) {}

  void revoke(kj::StringPtr reason) override {
    inner = nullptr;
    revokedBecause = reason;
  }
  kj::Maybe<Capability&> get() {
    KJ_IF_MAYBE (i, inner) {
      return **i;
    }
    return nullptr;
  }

  kj::Promise<CallResult> call(kj::String method, SerializedValue args) override {
    KJ_IF_MAYBE (i, inner) {
      return (*i)->call(kj::mv(method), kj::mv(args)).attach((*i)->addRef());
    }
    return userError("Error", revokedBecause);
  }
  kj::Maybe<kj::Own<Capability>> withProps(kj::String propsJson) override {
    KJ_IF_MAYBE (i, inner) {
      return (*i)->withProps(kj::mv(propsJson));
    }
    return nullptr;
  }
  kj::Promise<kj::String> callJson(kj::String method, kj::String paramsJson) override {
    KJ_IF_MAYBE (i, inner) {
      return (*i)->callJson(kj::mv(method), kj::mv(paramsJson)).attach((*i)->addRef());
    }
    return userError("Error", revokedBecause);
  }
  bool isFunction() override {
    KJ_IF_MAYBE (i, inner) {
      return (*i)->isFunction();
    }
    return false;
  }
  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override {
    KJ_IF_MAYBE (i, inner) {
      return (*i)->request(method, url, headers, requestBody, response).attach((*i)->addRef());
    }
    return userError("Error", revokedBecause);
  }

 private:
  kj::Maybe<kj::Own<Capability>> inner;
  kj::StringPtr revokedBecause;
};

}  // namespace

kj::Promise<CallResult> Capability::call(kj::String method, SerializedValue args) {
  return userError("TypeError",
                   kj::str("The RPC receiver does not implement the method \"", method, "\"."));
}

kj::Promise<kj::String> Capability::callJson(kj::String method, kj::String paramsJson) {
  return userError("TypeError",
                   kj::str("The RPC receiver does not implement the method \"", method, "\"."));
}

kj::Own<Capability> scopeTo(io::RevocationScope& scope, kj::Own<Capability> cap) {
  auto scoped = kj::refcounted<ScopedCapability>(kj::mv(cap));
  scope.add(*scoped);
  return kj::mv(scoped);
}

kj::Maybe<kj::Own<Capability>> forwardable(Capability& cap) {
  if (auto scoped = dynamic_cast<ScopedCapability*>(&cap)) {
    return scoped->get().map([](Capability& inner) { return inner.addRef(); });
  }
  return cap.addRef();
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
  // One that crossed a Cap'n Proto connection carries the RPC layer's prefix.
  constexpr kj::StringPtr REMOTE_PREFIX = "remote exception: "_kj;
  if (description.startsWith(REMOTE_PREFIX))
    description = description.slice(REMOTE_PREFIX.size());
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
