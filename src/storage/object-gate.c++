// The input gate and admission queue: events enter an object one after another and wait while
// blockConcurrencyWhile() holds the gate; reset() breaks an instance whose block timed out.

#include "src/storage/object.h"

namespace kiln::storage {

kj::Promise<void> ObjectInstance::whenOpen() {
  // The input gate: while blockConcurrencyWhile() runs, new events to this object wait.
  KJ_IF_MAYBE (g, gate) {
    return g->addBranch();
  }
  return kj::READY_NOW;
}

ObjectInstance::Admission ObjectInstance::admit() {
  // Events enter one after another, each after the previous one's first JavaScript turn (in
  // which a constructor may have closed the gate), and only through an open gate.
  auto paf = kj::newPromiseAndFulfiller<void>();
  auto previous = kj::mv(admissionTail);
  admissionTail = paf.promise.fork();
  auto turn =
      previous.addBranch().catch_([](kj::Exception&&) {}).then([this]() { return whenOpen(); });
  return Admission{kj::mv(turn), kj::mv(paf.fulfiller)};
}

void ObjectInstance::gateClose(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  if (s->gateDepth++ == 0) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    s->gate = paf.promise.fork();
    s->gateFulfiller = kj::mv(paf.fulfiller);
  }
}

void ObjectInstance::gateOpen(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr || s->gateDepth == 0)
    return;
  if (--s->gateDepth == 0) {
    s->gateFulfiller->fulfill();
    s->gate = nullptr;
  }
}

void ObjectInstance::reset(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  auto& instance = *s;
  instance.breakWith(toKj(info.GetIsolate(), info[0]));
  if (instance.gateDepth > 0) {
    instance.gateDepth = 0;
    instance.gateFulfiller->fulfill();
    instance.gate = nullptr;
  }
  KJ_IF_MAYBE (ns, instance.spec.ns) {
    if (instance.spec.depth == 0) {
      // Its events in flight end, as on Workers, but not now: reset() runs inside one of them.
      auto reason = kj::str(KJ_ASSERT_NONNULL(instance.brokenReason()));
      ns->addTask(kj::evalLater([self = kj::addRef(instance), reason = kj::mv(reason)]() mutable {
        self->eventCanceler.cancel(api::userError("Error", reason));
      }));
      ns->forget(instance);  // The task and the events in flight hold it.
    }
  }
}

}  // namespace kiln::storage
