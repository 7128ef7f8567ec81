#include "src/api/serialize.h"

#include "src/api/js-api.h"
#include "src/io/runtime.h"
#include "src/js/serializer.h"
#include "src/js/stack.h"
#include "src/js/value.h"

#include <kj/vector.h>

namespace kiln::api {
namespace {

class StubWriter final : public js::HostObjectHandler {
 public:
  ~StubWriter() noexcept override {}
  kj::Vector<kj::Own<Capability>> caps;

  bool writeHostObject(v8::Local<v8::Object> object, uint32_t& id) override {
    KJ_IF_MAYBE (cap, unwrapStub(object)) {
      id = caps.size();
      KJ_IF_MAYBE (forward, forwardable(*cap)) {
        caps.add(kj::mv(*forward));
      } else {
        caps.add(cap->addRef());  // Its scope ended: it travels as is and fails when used.
      }
      return true;
    }
    return false;
  }
  v8::MaybeLocal<v8::Object> readHostObject(uint32_t) override { return {}; }
};

class StubReader final : public js::HostObjectHandler {
 public:
  StubReader(v8::Local<v8::Context> context, const SerializedValue& value)
      : context(context), value(value) {}
  ~StubReader() noexcept override {}

  bool writeHostObject(v8::Local<v8::Object>, uint32_t&) override { return false; }
  v8::MaybeLocal<v8::Object> readHostObject(uint32_t id) override {
    if (id >= value.caps.size()) {
      js::throwTypeError(context->GetIsolate(), "corrupt serialized value");
      return {};
    }
    // Capabilities are shared, not mutated: taking a reference is fine on a const value.
    auto& cap = const_cast<Capability&>(*value.caps[id]);
    auto kind = cap.isFunction() ? JsApi::StubKind::FUNCTION : JsApi::StubKind::PLAIN;
    auto held = cap.addRef();
    KJ_IF_MAYBE (event, io::Runtime::from(context).currentIoContext()) {
      held = scopeTo(event->receivedStubScope(), kj::mv(held));
    }
    return JsApi::from(context).newStub(context, kj::mv(held), kind);
  }

 private:
  v8::Local<v8::Context> context;
  const SerializedValue& value;
};

}  // namespace

kj::Maybe<SerializedValue> serialize(v8::Local<v8::Context> context, v8::Local<v8::Value> value,
                                     size_t maxBytes) {
  StubWriter writer;
  std::vector<uint8_t> bytes;
  {
    js::SuspendableCall suspendable;  // Getters and Proxy traps are the tenant's code.
    if (!js::serializeValue(context, value, writer, bytes))
      return nullptr;
  }
  if (bytes.size() > maxBytes) {
    js::throwError(context->GetIsolate(), js::ErrorType::RANGE_ERROR,
                   kj::str("The value is ", bytes.size(),
                           " bytes once serialized, over the limit "
                           "of ",
                           maxBytes, " bytes."));
    return nullptr;
  }
  // The serializer's buffer becomes the value's bytes as is: a large value is not copied again.
  auto buffer = kj::heap<std::vector<uint8_t>>(kj::mv(bytes));
  kj::Array<kj::byte> owned;
  if (buffer->size() > 0) {
    owned = kj::ArrayPtr<kj::byte>(buffer->data(), buffer->size()).attach(kj::mv(buffer));
  }
  return SerializedValue{kj::mv(owned), writer.caps.releaseAsArray()};
}

v8::MaybeLocal<v8::Value> deserialize(v8::Local<v8::Context> context,
                                      const SerializedValue& value) {
  StubReader reader(context, value);
  return js::deserializeValue(context, value.bytes.begin(), value.bytes.size(), reader);
}

}  // namespace kiln::api
