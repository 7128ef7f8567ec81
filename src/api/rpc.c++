// Service stubs and JS RPC on the caller's side: making stubs, their method properties, calling
// a method through a capability, disposing a stub, and passing RpcTargets and functions by
// reference. The callee's side is in src/worker/rpc.c++.

#include "src/api/js-api.h"
#include "src/api/natives.h"
#include "src/api/rpc-capnp.h"
#include "src/api/serialize.h"
#include "src/api/settle.h"
#include "src/js/value.h"
#include "src/js/wrap.h"

#include <kj/debug.h>
#include <vector>

namespace kiln::api {
namespace {

using js::newString;
using js::toKj;

constexpr size_t MAX_RPC_BYTES = 32u << 20;

alignas(8) char STUB_TAG;

void settleRpc(io::IoContext& ioContext, v8::Local<v8::Promise::Resolver> resolver,
               kj::Promise<CallResult> promise);

struct StubState {
  kj::Maybe<kj::Own<Capability>> cap;  // Null once disposed.
  kj::Maybe<rpc::JsRpcTarget::Client> client;
  // `cap` as a Cap'n Proto capability, made on the first call: every call goes through it.
};

kj::Maybe<io::IoContext&> currentIoContext(v8::Isolate* isolate) {
  return io::Runtime::from(isolate->GetCurrentContext()).currentIoContext();
}

// `ctx.exports.X({props})`: a new stub for the same entrypoint, bound to props.
void callStubWithProps(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  KJ_IF_MAYBE (cap, unwrapStub(info.Holder())) {
    kj::String propsJson = kj::str("{}");
    if (info.Length() > 0 && info[0]->IsObject()) {
      auto props = js::getProperty(context, info[0].As<v8::Object>(), "props");
      if (!props->IsUndefined()) {
        v8::Local<v8::String> json;
        if (!v8::JSON::Stringify(context, props).ToLocal(&json))
          return;
        propsJson = toKj(isolate, json);
      }
    }
    KJ_IF_MAYBE (bound, cap->withProps(kj::mv(propsJson))) {
      info.GetReturnValue().Set(JsApi::from(context).newStub(context, kj::mv(*bound)));
    } else {
      js::throwTypeError(isolate,
                         "This stub cannot be called; only ctx.exports entrypoints can "
                         "be specialized with props.");
    }
  } else {
    js::throwTypeError(isolate, "Illegal invocation: not a service stub.");
  }
}

// Calling a function stub calls the function it stands for, in its own worker.
void callFunctionStub(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  v8::Local<v8::Value> args[] = {info.Holder(), newString(isolate, "")};
  v8::Local<v8::Value> method;
  if (!JsApi::from(context).callInternal(context, "rpcMethod", args).ToLocal(&method))
    return;
  std::vector<v8::Local<v8::Value>> callArgs;
  for (int i = 0; i < info.Length(); i++)
    callArgs.push_back(info[i]);
  v8::Local<v8::Value> result;
  if (method.As<v8::Function>()
          ->Call(context, v8::Undefined(isolate), callArgs.size(), callArgs.data())
          .ToLocal(&result)) {
    info.GetReturnValue().Set(result);
  }
}

// Any property a stub does not have itself (or through its prototype) is an RPC method.
// "then" is not, so that a stub is never mistaken for a promise.
void stubNamedGetter(v8::Local<v8::Name> property,
                     const v8::PropertyCallbackInfo<v8::Value>& info) {
  if (!property->IsString())
    return;
  auto isolate = info.GetIsolate();
  auto name = toKj(isolate, property);
  if (name == "then" || name == "constructor" || name == "toJSON")
    return;
  auto context = isolate->GetCurrentContext();
  v8::Local<v8::Value> args[] = {info.Holder(), property};
  v8::Local<v8::Value> method;
  if (JsApi::from(context).callInternal(context, "rpcMethod", args).ToLocal(&method)) {
    info.GetReturnValue().Set(method);
  }
}

// natives.stubCall(stub, method, args): one RPC call; resolves to what the callee returned or
// rejects with what it threw (type and message intact).
void stubCall(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  StubState* state = nullptr;
  KJ_IF_MAYBE (s, js::unwrap<StubState>(info[0], &STUB_TAG)) {
    state = s;
  }
  if (state == nullptr || state->cap == nullptr) {
    js::throwError(isolate, js::ErrorType::ERROR,
                   state != nullptr ? "Attempted to use RPC stub after it has been disposed."
                                    : "Illegal invocation: not a service stub.");
    return;
  }
  io::IoContext* ioContext;
  KJ_IF_MAYBE (c, currentIoContext(isolate)) {
    ioContext = c;
  } else {
    disallowedOutsideRequest(isolate);
    return;
  }
  if (!ioContext->consumeSubrequest()) {
    js::throwError(isolate, js::ErrorType::ERROR,
                   "Too many subrequests by single Worker invocation.");
    return;
  }
  auto method = toKj(isolate, info[1]);
  kj::Maybe<SerializedValue> args = serialize(context, info[2], MAX_RPC_BYTES);
  KJ_IF_MAYBE (a, args) {
    auto resolver = v8::Promise::Resolver::New(context).ToLocalChecked();
    info.GetReturnValue().Set(resolver->GetPromise());
    if (state->client == nullptr) {
      state->client = toClient(KJ_ASSERT_NONNULL(state->cap)->addRef());
    }
    auto client = KJ_ASSERT_NONNULL(state->client);
    a->depth = ioContext->getDepth();
    auto promise = sendCall(client, method, kj::mv(*a)).attach(kj::mv(method), kj::mv(client));
    settleRpc(*ioContext, resolver, kj::mv(promise));
  }
}

void disposeStub(const v8::FunctionCallbackInfo<v8::Value>& info) {
  KJ_IF_MAYBE (state, js::unwrap<StubState>(info[0], &STUB_TAG)) {
    state->cap = nullptr;
    state->client = nullptr;
  }
}

void plainStub(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto context = info.GetIsolate()->GetCurrentContext();
  KJ_IF_MAYBE (cap, unwrapStub(info[0])) {
    info.GetReturnValue().Set(JsApi::from(context).newStub(context, cap->addRef()));
  } else {
    info.GetReturnValue().Set(info[0]);
  }
}

// stub.dup(): a second stub for the same capability, disposed independently.
void dupStub(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto context = info.GetIsolate()->GetCurrentContext();
  KJ_IF_MAYBE (cap, unwrapStub(info[0])) {
    auto kind = cap->isFunction() ? JsApi::StubKind::FUNCTION : JsApi::StubKind::PLAIN;
    info.GetReturnValue().Set(JsApi::from(context).newStub(context, cap->addRef(), kind));
  } else {
    js::throwError(info.GetIsolate(), js::ErrorType::ERROR,
                   js::unwrap<StubState>(info[0], &STUB_TAG) != nullptr
                       ? "Attempted to use RPC stub after it has been disposed."
                       : "Illegal invocation: not a service stub.");
  }
}

void isStub(const v8::FunctionCallbackInfo<v8::Value>& info) {
  info.GetReturnValue().Set(js::unwrap<StubState>(info[0], &STUB_TAG) != nullptr);
}

// natives.targetStub(objectOrFunction): a stub that calls back into this worker.
void targetStub(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto context = info.GetIsolate()->GetCurrentContext();
  auto& api = JsApi::from(context);
  if (!info[0]->IsObject()) {
    js::throwTypeError(info.GetIsolate(), "Only objects and functions are passed by reference.");
    return;
  }
  // Plain (not callable) because it is about to be cloned; the receiving side makes function
  // stubs callable again (Capability::isFunction).
  auto cap = api.getHost().newTargetCapability(context, info[0].As<v8::Object>());
  info.GetReturnValue().Set(api.newStub(context, kj::mv(cap)));
}

void settleRpc(io::IoContext& ioContext, v8::Local<v8::Promise::Resolver> resolver,
               kj::Promise<CallResult> promise) {
  settleLater(
      ioContext, resolver, kj::mv(promise),
      [](v8::Local<v8::Context> context, CallResult&& result) -> v8::MaybeLocal<v8::Value> {
        auto isolate = context->GetIsolate();
        v8::Local<v8::Value> value;
        if (!deserialize(context, result.value).ToLocal(&value))
          return {};
        if (result.threw) {
          v8::Local<v8::Value> args[] = {value};
          if (!JsApi::from(context).callInternal(context, "reviveThrown", args).ToLocal(&value))
            return {};
          if (value->IsNativeError()) {
            // As workerd marks an error that came over RPC.
            (void)value.As<v8::Object>()->Set(context, js::newString(isolate, "remote"),
                                              v8::True(isolate));
          }
          isolate->ThrowException(value);
          return {};
        }
        return value;
      },
      "The RPC call failed.");
}

const NativeFunction RPC_NATIVES[] = {
    {"stubCall", &stubCall}, {"disposeStub", &disposeStub}, {"plainStub", &plainStub},
    {"isStub", &isStub},     {"dupStub", &dupStub},         {"targetStub", &targetStub},
};

}  // namespace

kj::ArrayPtr<const NativeFunction> rpcNatives() {
  return RPC_NATIVES;
}

v8::Local<v8::Object> JsApi::newStub(v8::Local<v8::Context> context, kj::Own<Capability> cap,
                                     StubKind kind, int64_t externalBytes) {
  auto isolate = context->GetIsolate();
  auto state = kj::heap<StubState>();
  state->cap = kj::mv(cap);
  v8::FunctionCallback callHandler = kind == StubKind::WITH_PROPS ? &callStubWithProps
                                     : kind == StubKind::FUNCTION ? &callFunctionStub
                                                                  : nullptr;
  auto stub =
      js::wrap(context, kj::mv(state), &STUB_TAG, callHandler, externalBytes, &stubNamedGetter);
  auto proto = js::getProperty(context, internal.Get(isolate), "StubPrototype");
  stub->SetPrototype(context, proto).Check();
  return stub;
}

kj::Maybe<Capability&> unwrapStub(v8::Local<v8::Value> value) {
  KJ_IF_MAYBE (state, js::unwrap<StubState>(value, &STUB_TAG)) {
    KJ_IF_MAYBE (cap, state->cap) {
      return **cap;
    }
  }
  return nullptr;
}

}  // namespace kiln::api
