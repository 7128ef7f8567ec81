#include "src/js/serializer.h"

#include <cstdlib>
#include <cstring>

namespace kiln::js {
namespace {

v8::Local<v8::String> str(v8::Isolate* isolate, const char* text) {
  return v8::String::NewFromUtf8(isolate, text).ToLocalChecked();
}

class WriteDelegate final : public v8::ValueSerializer::Delegate {
 public:
  WriteDelegate(v8::Isolate* isolate, HostObjectHandler& handler)
      : isolate(isolate), handler(handler) {}
  v8::ValueSerializer* serializer = nullptr;

  void ThrowDataCloneError(v8::Local<v8::String> message) override {
    auto error = v8::Exception::Error(message);
    error.As<v8::Object>()
        ->Set(isolate->GetCurrentContext(), str(isolate, "name"), str(isolate, "DataCloneError"))
        .FromMaybe(false);
    isolate->ThrowException(error);
  }

  v8::Maybe<bool> WriteHostObject(v8::Isolate*, v8::Local<v8::Object> object) override {
    uint32_t id;
    if (!handler.writeHostObject(object, id)) {
      ThrowDataCloneError(str(isolate,
                              "This object cannot be serialized; only plain data and "
                              "service stubs can be passed between workers."));
      return v8::Nothing<bool>();
    }
    serializer->WriteUint32(id);
    return v8::Just(true);
  }

 private:
  v8::Isolate* isolate;
  HostObjectHandler& handler;
};

class ReadDelegate final : public v8::ValueDeserializer::Delegate {
 public:
  explicit ReadDelegate(HostObjectHandler& handler) : handler(handler) {}
  v8::ValueDeserializer* deserializer = nullptr;

  v8::MaybeLocal<v8::Object> ReadHostObject(v8::Isolate* isolate) override {
    uint32_t id;
    if (!deserializer->ReadUint32(&id))
      return {};
    return handler.readHostObject(id);
  }

 private:
  HostObjectHandler& handler;
};

}  // namespace

bool serializeValue(v8::Local<v8::Context> context, v8::Local<v8::Value> value,
                    HostObjectHandler& handler, std::vector<uint8_t>& out) {
  auto isolate = context->GetIsolate();
  WriteDelegate delegate(isolate, handler);
  v8::ValueSerializer serializer(isolate, &delegate);
  delegate.serializer = &serializer;
  serializer.WriteHeader();
  if (serializer.WriteValue(context, value).IsNothing())
    return false;
  auto result = serializer.Release();
  out.assign(result.first, result.first + result.second);
  free(result.first);
  return true;
}

v8::MaybeLocal<v8::Value> deserializeValue(v8::Local<v8::Context> context, const uint8_t* data,
                                           size_t size, HostObjectHandler& handler) {
  auto isolate = context->GetIsolate();
  ReadDelegate delegate(handler);
  v8::ValueDeserializer deserializer(isolate, data, size, &delegate);
  delegate.deserializer = &deserializer;
  if (deserializer.ReadHeader(context).IsNothing())
    return {};
  return deserializer.ReadValue(context);
}

}  // namespace kiln::js
