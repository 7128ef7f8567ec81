#include "src/api/rpc-capnp.h"

#include <capnp/capability.h>
#include <kj/debug.h>

namespace kiln::api {
namespace {

kj::Promise<SerializedValue> readValue(rpc::JsValue::Reader in, kj::Array<kj::byte> bytes);
// `bytes` holds in.getV8Serialized(): a copy, or the message's own bytes kept alive.
void writeValue(rpc::JsValue::Builder out, SerializedValue value);

// Serves a Capability as a JsRpcTarget; props and everything else stay on this side.
class CapabilityServer final : public rpc::JsRpcTarget::Server {
 public:
  explicit CapabilityServer(kj::Own<Capability> cap) : cap(kj::mv(cap)) {}
  Capability& getCapability() { return *cap; }

  kj::Promise<void> call(CallContext context) override {
    auto params = context.getParams();
    auto method = kj::str(params.getMethod());
    // Copied: the callee may hold its arguments longer than the request message lives.
    auto args = params.getArgs();
    return readValue(args, kj::heapArray<kj::byte>(args.getV8Serialized()))
        .then([this, method = kj::mv(method)](SerializedValue args) mutable {
          return cap->call(kj::mv(method), kj::mv(args));
        })
        .then([context](CallResult result) mutable {
          auto results = context.getResults(
              capnp::MessageSize{result.value.bytes.size() / 8 + 8 + result.value.caps.size(),
                                 static_cast<kj::uint>(result.value.caps.size())});
          results.setThrew(result.threw);
          writeValue(results.initResult(), kj::mv(result.value));
        });
  }

 private:
  kj::Own<Capability> cap;
};

// A capability served by another process: calls go straight to its client.
class RemoteCapability final : public Capability {
 public:
  explicit RemoteCapability(rpc::JsRpcTarget::Client client) : client(kj::mv(client)) {}
  rpc::JsRpcTarget::Client getClient() { return client; }

  kj::Promise<CallResult> call(kj::String method, SerializedValue args) override {
    return sendCall(client, method, kj::mv(args));
  }

  kj::Promise<void> request(kj::HttpMethod, kj::StringPtr, const kj::HttpHeaders&,
                            kj::AsyncInputStream&, Response&) override {
    return userError("TypeError",
                     "This stub came from another process over Cap'n Proto RPC; it takes "
                     "method calls, not fetch().");
  }

 private:
  rpc::JsRpcTarget::Client client;
};

capnp::CapabilityServerSet<rpc::JsRpcTarget>& serverSet() {
  // Per thread, like everything a capability touches; the set only brands the clients it makes.
  static thread_local capnp::CapabilityServerSet<rpc::JsRpcTarget> set;
  return set;
}

kj::Promise<SerializedValue> readValue(rpc::JsValue::Reader in, kj::Array<kj::byte> bytes) {
  auto capsIn = in.getCaps();
  uint32_t depth = in.getDepth();
  if (capsIn.size() == 0) {
    return SerializedValue{kj::mv(bytes), nullptr, depth};
  }
  auto caps = kj::heapArrayBuilder<kj::Promise<kj::Own<Capability>>>(capsIn.size());
  for (auto client: capsIn) {
    caps.add(fromClient(kj::mv(client)));
  }
  return kj::joinPromises(caps.finish())
      .then([bytes = kj::mv(bytes), depth](kj::Array<kj::Own<Capability>> caps) mutable {
        return SerializedValue{kj::mv(bytes), kj::mv(caps), depth};
      });
}

void writeValue(rpc::JsValue::Builder out, SerializedValue value) {
  out.setV8Serialized(value.bytes);
  out.setDepth(value.depth);
  auto caps = out.initCaps(value.caps.size());
  for (kj::uint i = 0; i < value.caps.size(); i++) {
    caps.set(i, toClient(kj::mv(value.caps[i])));
  }
}

}  // namespace

rpc::JsRpcTarget::Client toClient(kj::Own<Capability> cap) {
  if (auto remote = dynamic_cast<RemoteCapability*>(cap.get())) {
    return remote->getClient();
  }
  return serverSet().add(kj::heap<CapabilityServer>(kj::mv(cap)));
}

kj::Promise<kj::Own<Capability>> fromClient(rpc::JsRpcTarget::Client client) {
  return serverSet().getLocalServer(client).then(
      [client](kj::Maybe<rpc::JsRpcTarget::Server&> server) mutable -> kj::Own<Capability> {
        KJ_IF_MAYBE (s, server) {
          return kj::downcast<CapabilityServer>(*s).getCapability().addRef();
        }
        return kj::refcounted<RemoteCapability>(kj::mv(client));
      });
}

kj::Promise<CallResult> sendCall(rpc::JsRpcTarget::Client& client, kj::StringPtr method,
                                 SerializedValue args) {
  auto request = client.callRequest(
      capnp::MessageSize{args.bytes.size() / 8 + method.size() / 8 + 16 + args.caps.size(),
                         static_cast<kj::uint>(args.caps.size())});
  request.setMethod(method);
  writeValue(request.initArgs(), kj::mv(args));
  return request.send().then([](capnp::Response<rpc::JsRpcTarget::CallResults> response) {
    bool threw = response.getThrew();
    auto result = response.getResult();
    // Read in place: the bytes keep the response message alive.
    auto data = result.getV8Serialized();
    kj::Array<kj::byte> bytes;
    if (data.size() > 0) {
      bytes = kj::ArrayPtr<kj::byte>(const_cast<kj::byte*>(data.begin()), data.size())
                  .attach(kj::heap(kj::mv(response)));
    }
    return readValue(result, kj::mv(bytes)).then([threw](SerializedValue value) {
      return CallResult{kj::mv(value), threw};
    });
  });
}

}  // namespace kiln::api
