// JS RPC on the callee's side: calls arriving through an entrypoint capability (a
// WorkerEntrypoint class's methods) or through an RpcTarget or function this worker passed to
// another worker by reference.

#include "src/js/platform.h"
#include "src/js/value.h"
#include "src/worker/worker.h"

#include <kj/debug.h>

namespace kiln::worker {
namespace {

// The name logs and tails show for a call: a property read or a call along a path arrives
// encoded by the caller's built-ins ("\x01" op "\0" path elements joined by "\0"); show its last
// element, the property read or the method called.
kj::String displayMethodName(kj::StringPtr method) {
  if (!method.startsWith("\x01"))
    return kj::str(method);
  size_t start = 0;
  for (size_t i = 0; i < method.size(); i++) {
    if (method[i] == '\0')
      start = i + 1;
  }
  return kj::str(method.slice(start));
}

constexpr size_t MAX_RESULT_BYTES = 32u << 20;

// An RpcTarget or function of one worker, callable from others. Holds a handle into the
// worker's isolate, so it must not touch it once the worker is gone.
class TargetCapability final : public api::Capability {
 public:
  TargetCapability(Worker& worker, v8::Isolate* isolate, v8::Local<v8::Object> target)
      : worker(worker),
        liveness(worker.getLiveness()),
        target(new v8::Global<v8::Object>(isolate, target)),
        function(target->IsFunction()) {}

  ~TargetCapability() noexcept(false) {
    if (liveness->alive) {
      v8::Locker locker(worker.getRuntime().getIsolate());
      target->Reset();
      delete target;
    }
    // Otherwise the isolate went first and took the handle's slot with it; nothing to free.
  }

  bool isFunction() override { return function; }

  kj::Promise<api::CallResult> call(kj::String method, api::SerializedValue args) override {
    if (!liveness->alive) {
      return api::userError("Error",
                            "The RPC target is no longer available: the worker that "
                            "created it has stopped.");
    }
    auto limits = worker.getCallbackLimits();
    auto name = method.size() > 0 ? kj::str(method) : kj::str("(function call)");
    return worker
        .runCall(
            limits, kj::mv(args),
            [this, method = kj::mv(method)](
                v8::Local<v8::Context> context,
                v8::Local<v8::Array> argList) -> v8::MaybeLocal<v8::Value> {
              auto isolate = context->GetIsolate();
              v8::Local<v8::Value> callArgs[] = {target->Get(isolate),
                                                 js::newString(isolate, method), argList};
              return worker.getApi().callInternal(context, "invokeTarget", callArgs);
            },
            name)
        .attach(kj::mv(name));
  }

  kj::Promise<void> request(kj::HttpMethod, kj::StringPtr, const kj::HttpHeaders&,
                            kj::AsyncInputStream&, Response&) override {
    return api::userError("TypeError",
                          "This RPC stub stands for an object, not a service: it "
                          "has no fetch().");
  }

 private:
  Worker& worker;
  kj::Own<Worker::Liveness> liveness;
  v8::Global<v8::Object>* target;
  bool function;
};

}  // namespace

kj::Own<api::Capability> Worker::newTargetCapability(v8::Local<v8::Context> context,
                                                     v8::Local<v8::Object> target) {
  return kj::refcounted<TargetCapability>(*this, context->GetIsolate(), target);
}

kj::Promise<api::CallResult> Worker::handleCall(kj::Maybe<kj::StringPtr> entrypoint,
                                                kj::Maybe<kj::StringPtr> propsJson,
                                                kj::String method, api::SerializedValue args,
                                                io::IoLimits limits,
                                                kj::Maybe<TargetProvider&> target) {
  auto methodName = kj::str(method);
  KJ_IF_MAYBE (t, target) {
    return runCall(
               limits, kj::mv(args),
               [this, t, method = kj::mv(method)](
                   v8::Local<v8::Context> context,
                   v8::Local<v8::Array> argList) -> v8::MaybeLocal<v8::Value> {
                 v8::Local<v8::Object> instance;
                 if (!t->getTarget(context, *this).ToLocal(&instance))
                   return {};
                 v8::Local<v8::Value> callArgs[] = {
                     instance, js::newString(context->GetIsolate(), method), argList};
                 return api->callInternal(context, "invokeTarget", callArgs);
               },
               methodName, t->receivedStubScope())
        .attach(kj::mv(methodName));
  }
  auto entry = entrypoint.map([](kj::StringPtr s) { return kj::str(s); });
  auto props = propsJson.map([](kj::StringPtr s) { return kj::str(s); });
  return runCall(
             limits, kj::mv(args),
             [this, entry = kj::mv(entry), props = kj::mv(props), method = kj::mv(method)](
                 v8::Local<v8::Context> context,
                 v8::Local<v8::Array> argList) -> v8::MaybeLocal<v8::Value> {
               auto isolate = context->GetIsolate();
               kj::StringPtr exportName = "default";
               KJ_IF_MAYBE (e, entry) {
                 exportName = *e;
               }
               auto exported = js::getProperty(context, exports.Get(isolate), exportName);
               v8::Local<v8::Value> ctxArgs[] = {
                   parseProps(context,
                              props.map([](const kj::String& s) -> kj::StringPtr { return s; })),
                   ctxExports.Get(isolate)};
               v8::Local<v8::Value> ctxObj;
               if (!api->callInternal(context, "newExecutionContext", ctxArgs).ToLocal(&ctxObj)) {
                 return {};
               }
               v8::Local<v8::Value> callArgs[] = {exported, js::newString(isolate, method), argList,
                                                  env.Get(isolate), ctxObj};
               return api->callInternal(context, "callRpc", callArgs);
             },
             methodName, nullptr, entrypoint)
      .attach(kj::mv(methodName));
}

kj::Promise<kj::String> Worker::handleJsonCall(kj::Maybe<kj::StringPtr> entrypoint,
                                               kj::Maybe<kj::StringPtr> propsJson,
                                               kj::String method, kj::String paramsJson,
                                               io::IoLimits limits,
                                               kj::Maybe<TargetProvider&> target) {
  if (runtime->isTerminated())
    return api::userError("Error", runtime->terminationMessage());
  auto entry = entrypoint.map([](kj::StringPtr s) { return kj::str(s); });
  auto props = propsJson.map([](kj::StringPtr s) { return kj::str(s); });
  auto ioContext = kj::heap<io::IoContext>(*runtime, options.timer, limits);
  auto& ctx = *ioContext;
  auto settled = runtime->runSliced(
      ctx,
      [this, paramsJson = kj::mv(paramsJson), method = kj::mv(method), entry = kj::mv(entry),
       props = kj::mv(props),
       target](v8::Local<v8::Context> context) mutable -> kj::Promise<io::Settled> {
        auto isolate = context->GetIsolate();
        v8::TryCatch tryCatch(isolate);
        v8::Local<v8::Value> params;
        if (!v8::JSON::Parse(context, js::newString(isolate, paramsJson)).ToLocal(&params) ||
            !params->IsArray()) {
          if (tryCatch.HasCaught())
            tryCatch.Reset();
          return io::Settled{true, v8::Global<v8::Value>(
                                       isolate, js::newError(isolate, js::ErrorType::TYPE_ERROR,
                                                             "paramsJson must be a JSON array."))};
        }
        v8::Local<v8::Value> result;
        KJ_IF_MAYBE (t, target) {
          v8::Local<v8::Object> instance;
          if (t->getTarget(context, *this).ToLocal(&instance)) {
            v8::Local<v8::Value> callArgs[] = {instance, js::newString(isolate, method), params};
            if (api->callInternal(context, "callInstance", callArgs).ToLocal(&result)) {
              return runtime->awaitJs(context, result);
            }
          }
          if (!tryCatch.CanContinue() || !tryCatch.HasCaught()) {
            return io::Settled{true, v8::Global<v8::Value>(isolate, v8::Null(isolate))};
          }
          return io::Settled{true, v8::Global<v8::Value>(isolate, tryCatch.Exception())};
        }
        kj::StringPtr exportName = "default";
        KJ_IF_MAYBE (e, entry) {
          exportName = *e;
        }
        auto exported = js::getProperty(context, exports.Get(isolate), exportName);
        v8::Local<v8::Value> ctxArgs[] = {
            parseProps(context, props.map([](kj::String& s) -> kj::StringPtr { return s; })),
            ctxExports.Get(isolate)};
        v8::Local<v8::Value> ctxObj;
        if (api->callInternal(context, "newExecutionContext", ctxArgs).ToLocal(&ctxObj)) {
          v8::Local<v8::Value> callArgs[] = {exported, js::newString(isolate, method), params,
                                             env.Get(isolate), ctxObj};
          // Stream events come only from kiln (JSON calls are not reachable from JS RPC): the
          // export's own tailStream() is then called with the onset, its handler with the rest.
          if (method == "tailStream") {
            auto list = params.As<v8::Array>();
            v8::Local<v8::Value> item, threw;
            if (!list->Get(context, 0).ToLocal(&item) || !list->Get(context, 1).ToLocal(&threw))
              return io::Settled{true, v8::Global<v8::Value>(isolate, tryCatch.Exception())};
            v8::Local<v8::Value> streamArgs[] = {exported, item, threw, env.Get(isolate), ctxObj};
            if (api->callInternal(context, "deliverTailStream", streamArgs).ToLocal(&result)) {
              return runtime->awaitJs(context, result);
            }
          } else if (api->callInternal(context, "callRpc", callArgs).ToLocal(&result)) {
            return runtime->awaitJs(context, result);
          }
        }
        if (!tryCatch.CanContinue() || !tryCatch.HasCaught()) {
          return io::Settled{true, v8::Global<v8::Value>(isolate, v8::Null(isolate))};
        }
        return io::Settled{true, v8::Global<v8::Value>(isolate, tryCatch.Exception())};
      });
  return orWhenHung(ctx, kj::mv(settled))
      .then([this, &ctx](io::Settled&& result) -> kj::Promise<kj::String> {
        if (ctx.isHung())
          return api::userError("Error", io::HUNG_MESSAGE);
        if (runtime->isTerminated()) {
          return api::userError("Error", runtime->terminationMessage());
        }
        // toJSON() and getters are the tenant's code: on a stack of its own, like the call.
        return runtime->runSliced(
            ctx,
            [result = kj::mv(result)](v8::Local<v8::Context> context) -> kj::Promise<kj::String> {
              auto isolate = context->GetIsolate();
              auto value = result.value.IsEmpty() ? v8::Undefined(isolate).As<v8::Value>()
                                                  : result.value.Get(isolate);
              if (result.rejected) {
                auto name = value->IsObject()
                                ? js::toKj(isolate,
                                           js::getProperty(context, value.As<v8::Object>(), "name"))
                                : kj::str("Error");
                auto message =
                    value->IsObject()
                        ? js::toKj(isolate,
                                   js::getProperty(context, value.As<v8::Object>(), "message"))
                        : js::toKj(isolate, value);
                return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                                     kj::str(name, ": ", message));
              }
              v8::TryCatch tryCatch(isolate);
              v8::Local<v8::String> text;
              if (value->IsUndefined() || !v8::JSON::Stringify(context, value).ToLocal(&text)) {
                return kj::str("null");
              }
              return js::toKj(isolate, text);
            });
      })
      .attach(kj::mv(ioContext));
}

kj::Promise<api::CallResult> Worker::runCall(io::IoLimits limits, api::SerializedValue args,
                                             Invoke invoke, kj::StringPtr methodName,
                                             kj::Maybe<kj::Own<io::RevocationScope>> stubScope,
                                             kj::Maybe<kj::StringPtr> entrypoint) {
  if (runtime->isTerminated())
    return api::userError("Error", runtime->terminationMessage());
  if (args.depth >= io::MAX_CALL_DEPTH)
    return api::userError("Error", io::DEPTH_MESSAGE);
  auto ioContext = kj::heap<io::IoContext>(*runtime, options.timer, limits);
  auto& ctx = *ioContext;
  ctx.setDepth(args.depth + 1);
  bool objectEvent = stubScope != nullptr;
  KJ_IF_MAYBE (s, stubScope) {
    ctx.scopeReceivedStubsTo(kj::mv(*s));  // An object's event: the object outlives it.
  }
  auto startTime = kj::systemPreciseMonotonicClock().now();
  {
    auto trace = kj::heap<io::Trace>();
    trace->scriptName = kj::str(name);
    trace->eventTimestamp = js::frozenNowMillis();
    trace->rpcMethod = displayMethodName(methodName);
    trace->entrypoint = entrypoint.map([](kj::StringPtr e) { return kj::str(e); });
    if (objectEvent)
      trace->executionModel = "durableObject";
    ctx.setTrace(kj::mv(trace));
  }
  // On a stack of its own, possibly suspended past this function's return: it owns its inputs.
  auto settled = runtime->runSliced(
      ctx,
      [this, args = kj::mv(args), invoke = kj::mv(invoke)](
          v8::Local<v8::Context> context) mutable -> kj::Promise<io::Settled> {
        auto isolate = context->GetIsolate();
        v8::TryCatch tryCatch(isolate);
        v8::Local<v8::Value> argList;
        v8::Local<v8::Value> result;
        if (api::deserialize(context, args).ToLocal(&argList) && argList->IsArray() &&
            invoke(context, argList.As<v8::Array>()).ToLocal(&result)) {
          return runtime->awaitJs(context, result);
        }
        if (!tryCatch.CanContinue() || !tryCatch.HasCaught()) {
          return io::Settled{true, v8::Global<v8::Value>(isolate, v8::Null(isolate))};
        }
        return io::Settled{true, v8::Global<v8::Value>(isolate, tryCatch.Exception())};
      });

  return orWhenHung(ctx, kj::mv(settled))
      .then([this, &ctx, startTime](io::Settled&& result) -> kj::Promise<api::CallResult> {
        if (ctx.isHung()) {
          finishEvent(ctx, 0, startTime);
          return api::userError("Error", io::HUNG_MESSAGE);
        }
        if (runtime->isTerminated()) {
          finishEvent(ctx, 0, startTime);
          return api::userError("Error", runtime->terminationMessage());
        }
        // Serializing runs the tenant's getters: on a stack of its own, like the call.
        return runtime
            ->runSliced(
                ctx,
                [this, &ctx,
                 result = kj::mv(result)](v8::Local<v8::Context> context) -> api::CallResult {
                  auto isolate = context->GetIsolate();
                  v8::TryCatch tryCatch(isolate);
                  v8::Local<v8::Value> value = result.value.IsEmpty()
                                                   ? v8::Undefined(isolate).As<v8::Value>()
                                                   : result.value.Get(isolate);
                  // What a method throws is its caller's to handle: as in workerd, the event's
                  // outcome stays "ok" and its tail hears of no exception (a streaming tail gets
                  // no return event).
                  if (result.rejected) {
                    KJ_IF_MAYBE (trace, ctx.getTrace()) {
                      trace->rpcThrew = true;
                    }
                  }
                  // RpcTargets and functions in what comes back travel by reference; what was
                  // thrown becomes an error of a built-in type, as workerd sends it.
                  v8::Local<v8::Value> args[] = {value};
                  v8::Local<v8::Value> prepared;
                  if (api->callInternal(
                             context,
                             result.rejected ? "prepareThrownForTransfer" : "prepareForTransfer",
                             args)
                          .ToLocal(&prepared)) {
                    KJ_IF_MAYBE (serialized, api::serialize(context, prepared, MAX_RESULT_BYTES)) {
                      return api::CallResult{kj::mv(*serialized), result.rejected};
                    }
                  }
                  // What it returned or threw cannot cross; say so, as an error the caller can
                  // catch.
                  auto description = tryCatch.HasCaught()
                                         ? js::describeException(isolate, tryCatch.Exception())
                                         : kj::str("the value cannot be serialized");
                  tryCatch.Reset();
                  auto error =
                      js::newError(isolate, js::ErrorType::ERROR,
                                   kj::str("The RPC result could not be sent back: ", description));
                  return api::CallResult{
                      KJ_ASSERT_NONNULL(api::serialize(context, error, MAX_RESULT_BYTES)), true};
                })
            .then(
                [this, &ctx, startTime](api::CallResult&& callResult) {
                  finishEvent(ctx, 0, startTime);
                  return kj::mv(callResult);
                },
                [this, &ctx, startTime](kj::Exception&& e) -> api::CallResult {
                  finishEvent(ctx, 0, startTime);
                  kj::throwFatalException(kj::mv(e));
                });
      })
      .then([this, ioContext = kj::mv(ioContext)](api::CallResult&& result) mutable {
        if (ioContext->hasWaitUntil())
          keepInBackground(kj::mv(ioContext));
        return kj::mv(result);
      });
}

}  // namespace kiln::worker
