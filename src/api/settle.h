// Settling a JavaScript promise from a KJ promise: the bridge every native async operation uses.
#pragma once

#include "src/api/capability.h"
#include "src/io/runtime.h"
#include "src/js/value.h"

#include <kj/debug.h>

namespace kiln::api {

// Settles `resolver` with the outcome of `promise` once it completes, under `ioContext`. KJ
// failures reach JavaScript as a TypeError with `errorMessage`, never with KJ's own text.
template <typename T, typename Func>
void settleLater(io::IoContext& ioContext, v8::Local<v8::Promise::Resolver> resolver,
                 kj::Promise<T> promise, Func&& onSuccess, kj::StringPtr errorMessage,
                 v8::Local<v8::Value> keepAlive = {}) {
  auto isolate = resolver->GetIsolate();
  auto& runtime = ioContext.getRuntime();
  auto res = kj::heap<v8::Global<v8::Promise::Resolver>>(isolate, resolver);
  auto keep = kj::heap<v8::Global<v8::Value>>();
  if (!keepAlive.IsEmpty())
    keep->Reset(isolate, keepAlive);
  auto state = kj::heap<
      kj::Tuple<kj::Own<v8::Global<v8::Promise::Resolver>>, kj::Own<v8::Global<v8::Value>>>>(
      kj::tuple(kj::mv(res), kj::mv(keep)));
  auto& stateRef = *state;
  ioContext.addTask(
      promise
          .then(
              [&runtime, &ioContext, &stateRef,
               onSuccess = kj::fwd<Func>(onSuccess)](T&& value) mutable {
                if (runtime.isTerminated())
                  return kj::Promise<void>(kj::READY_NOW);
                // Its own stack, possibly suspended after this callback returns:
                // the body owns the value and the continuation.
                return runtime.runSliced(
                    ioContext, [&stateRef, onSuccess = kj::mv(onSuccess),
                                value = kj::mv(value)](v8::Local<v8::Context> context) mutable {
                      auto resolver = kj::get<0>(stateRef)->Get(context->GetIsolate());
                      v8::TryCatch tryCatch(context->GetIsolate());
                      v8::Local<v8::Value> result;
                      if (onSuccess(context, kj::mv(value)).ToLocal(&result)) {
                        (void)resolver->Resolve(context, result);
                      } else if (tryCatch.HasCaught() && tryCatch.CanContinue()) {
                        (void)resolver->Reject(context, tryCatch.Exception());
                      }
                    });
              },
              [&runtime, &ioContext, &stateRef, errorMessage](kj::Exception&& e) {
                if (runtime.isTerminated())
                  return kj::Promise<void>(kj::READY_NOW);
                return runtime.runSliced(
                    ioContext, [&runtime, &stateRef, errorMessage,
                                e = kj::mv(e)](v8::Local<v8::Context> context) mutable {
                      auto isolate = context->GetIsolate();
                      auto resolver = kj::get<0>(stateRef)->Get(isolate);
                      v8::Local<v8::Value> error;
                      KJ_IF_MAYBE (user, parseUserError(e)) {
                        // The worker's own error class, as workerd keeps it.
                        error = js::newNamedError(context, kj::get<0>(*user), kj::get<1>(*user));
                      } else {
                        KJ_LOG(INFO, "I/O failed in worker", runtime.getName(), e);
                        error = js::newError(isolate, js::ErrorType::TYPE_ERROR, errorMessage);
                      }
                      (void)resolver->Reject(context, error);
                    });
              })
          .attach(kj::mv(state)));
}

}  // namespace kiln::api
