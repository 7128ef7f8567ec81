// Fuzz target: structured-clone deserialization of bytes as they arrive in an RPC payload or a
// dynamic worker's env (js::deserializeValue with a host-object table of two stubs). Whatever
// the bytes, the result is a value or a DataCloneError-style exception in the isolate: never a
// crash. A value that comes out is serialized again, as a result sent back would be.

#include "src/js/isolate.h"
#include "src/js/platform.h"
#include "src/js/serializer.h"

#include <kj/debug.h>
#include <cstdint>

namespace {

class TwoStubs final : public kiln::js::HostObjectHandler {
 public:
  explicit TwoStubs(v8::Isolate* isolate) : isolate(isolate) {}
  bool writeHostObject(v8::Local<v8::Object>, uint32_t& id) override {
    id = 0;
    return true;
  }
  v8::MaybeLocal<v8::Object> readHostObject(uint32_t id) override {
    if (id >= 2) {
      isolate->ThrowException(v8::Exception::Error(
          v8::String::NewFromUtf8Literal(isolate, "no such capability")));
      return {};
    }
    return v8::Object::New(isolate);
  }

 private:
  v8::Isolate* isolate;
};

struct State {
  kj::Own<kiln::js::Isolate> isolate;
  v8::Global<v8::Context> context;
};

State& state() {
  static State* s = []() {
    kiln::js::initializeV8();
    auto s = new State;  // Lives for the process, as libFuzzer's targets do.
    s->isolate = kj::heap<kiln::js::Isolate>();
    v8::Locker locker(s->isolate->get());
    v8::Isolate::Scope isolateScope(s->isolate->get());
    v8::HandleScope handles(s->isolate->get());
    s->context.Reset(s->isolate->get(), s->isolate->newContext());
    return s;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& s = state();
  auto isolate = s.isolate->get();
  v8::Locker locker(isolate);
  v8::Isolate::Scope isolateScope(isolate);
  v8::HandleScope handles(isolate);
  auto context = s.context.Get(isolate);
  v8::Context::Scope contextScope(context);
  v8::TryCatch tryCatch(isolate);
  TwoStubs stubs(isolate);
  v8::Local<v8::Value> value;
  if (kiln::js::deserializeValue(context, data, size, stubs).ToLocal(&value)) {
    std::vector<uint8_t> again;
    (void)kiln::js::serializeValue(context, value, stubs, again);
  }
  return 0;
}
