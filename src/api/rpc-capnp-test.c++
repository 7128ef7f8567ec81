// JS RPC as Cap'n Proto without V8: capabilities round-trip through JsRpcTarget clients, stubs in
// a value keep their identity within a thread, and a capability served by another vat (here,
// the other end of a two-party connection) becomes a RemoteCapability that still takes calls.

#include "src/api/rpc-capnp.h"

#include <capnp/rpc-twoparty.h>
#include <gtest/gtest.h>
#include <kj/async-io.h>

namespace kiln::api {
namespace {

class Recorder final : public Capability {
 public:
  kj::Vector<kj::String> methods;
  kj::Maybe<SerializedValue> lastArgs;

  kj::Promise<CallResult> call(kj::String method, SerializedValue args) override {
    methods.add(kj::mv(method));
    if (methods.back() == "fail") {
      return userError("RangeError", "refused on purpose");
    }
    // Answers with its arguments' bytes reversed, and hands back the caps it got.
    auto bytes = kj::heapArray<kj::byte>(args.bytes.size());
    for (size_t i = 0; i < bytes.size(); i++)
      bytes[i] = args.bytes[bytes.size() - 1 - i];
    auto caps = kj::heapArrayBuilder<kj::Own<Capability>>(args.caps.size());
    for (auto& cap: args.caps)
      caps.add(cap->addRef());
    lastArgs = kj::mv(args);
    return CallResult{SerializedValue{kj::mv(bytes), caps.finish()}, methods.back() == "throw"};
  }

  kj::Promise<void> request(kj::HttpMethod, kj::StringPtr, const kj::HttpHeaders&,
                            kj::AsyncInputStream&, Response&) override {
    return kj::READY_NOW;
  }
};

SerializedValue value(kj::StringPtr text, kj::Array<kj::Own<Capability>> caps = nullptr) {
  return SerializedValue{kj::heapArray<kj::byte>(text.asBytes()), kj::mv(caps)};
}

kj::String text(const SerializedValue& v) {
  return kj::heapString(reinterpret_cast<const char*>(v.bytes.begin()), v.bytes.size());
}

TEST(RpcCapnp, LocalClientLeadsBackToTheSameCapability) {
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  auto recorder = kj::refcounted<Recorder>();
  auto client = toClient(recorder->addRef());
  auto back = fromClient(client).wait(waitScope);
  EXPECT_EQ(back.get(), recorder.get());
}

TEST(RpcCapnp, CallCarriesBytesAndCapsByIdentity) {
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  auto recorder = kj::refcounted<Recorder>();
  auto passed = kj::refcounted<Recorder>();
  auto client = toClient(recorder->addRef());
  auto caps = kj::heapArrayBuilder<kj::Own<Capability>>(1);
  caps.add(passed->addRef());
  auto result = sendCall(client, "echo", value("abc", caps.finish())).wait(waitScope);
  ASSERT_EQ(recorder->methods.size(), 1u);
  EXPECT_EQ(recorder->methods[0], "echo");
  EXPECT_EQ(text(KJ_ASSERT_NONNULL(recorder->lastArgs)), "abc");
  EXPECT_EQ(text(result.value), "cba");
  EXPECT_FALSE(result.threw);
  // The stub passed in arrived as the same capability, and came back as it too.
  EXPECT_EQ(KJ_ASSERT_NONNULL(recorder->lastArgs).caps[0].get(), passed.get());
  ASSERT_EQ(result.value.caps.size(), 1u);
  EXPECT_EQ(result.value.caps[0].get(), passed.get());

  auto thrown = sendCall(client, "throw", value("x")).wait(waitScope);
  EXPECT_TRUE(thrown.threw);
}

TEST(RpcCapnp, ErrorsKeepTheirTypeAndMessage) {
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  auto client = toClient(kj::refcounted<Recorder>());
  auto exception = KJ_ASSERT_NONNULL(
      kj::runCatchingExceptions([&]() { sendCall(client, "fail", value("")).wait(waitScope); }));
  auto user = KJ_ASSERT_NONNULL(parseUserError(exception));
  EXPECT_EQ(kj::get<0>(user), "RangeError");
  EXPECT_EQ(kj::get<1>(user), "refused on purpose");
}

TEST(RpcCapnp, CapabilityFromAnotherVatIsRemoteAndTakesCalls) {
  auto io = kj::setupAsyncIo();
  auto recorder = kj::refcounted<Recorder>();
  auto pipe = io.provider->newTwoWayPipe();
  capnp::TwoPartyServer server(toClient(recorder->addRef()));
  server.accept(kj::mv(pipe.ends[0]));
  {
    capnp::TwoPartyClient peer(*pipe.ends[1]);
    auto boot = peer.bootstrap().castAs<rpc::JsRpcTarget>();
    auto remote = fromClient(boot).wait(io.waitScope);
    EXPECT_NE(remote.get(), recorder.get());

    auto result = remote->call(kj::str("echo"), value("xyz")).wait(io.waitScope);
    EXPECT_EQ(text(result.value), "zyx");
    ASSERT_EQ(recorder->methods.size(), 1u);

    // Across the connection a thrown userError still parses, type and message intact.
    auto exception = KJ_ASSERT_NONNULL(kj::runCatchingExceptions(
        [&]() { remote->call(kj::str("fail"), value("")).wait(io.waitScope); }));
    auto user = KJ_ASSERT_NONNULL(parseUserError(exception), exception.getDescription());
    EXPECT_EQ(kj::get<0>(user), "RangeError");
    EXPECT_EQ(kj::get<1>(user), "refused on purpose");

    // It has no fetch(): HTTP stays local.
    kj::HttpHeaderTable table;
    auto client = kj::newHttpClient(*remote);
    kj::HttpHeaders headers(table);
    auto fetchError = KJ_ASSERT_NONNULL(kj::runCatchingExceptions([&]() {
      client->request(kj::HttpMethod::GET, "http://x/", headers).response.wait(io.waitScope);
    }));
    auto fetchUser = KJ_ASSERT_NONNULL(parseUserError(fetchError));
    EXPECT_EQ(kj::get<0>(fetchUser), "TypeError");
  }
}

}  // namespace
}  // namespace kiln::api
