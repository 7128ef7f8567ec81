#include "src/js/wrap.h"

#include "src/js/isolate.h"

#include <kj/debug.h>

namespace kiln::js {

WrapRegistry::~WrapRegistry() noexcept(false) { destroyAll(); }

void WrapRegistry::add(void* key, kj::Function<void()> destroy) {
  entries.insert(key, kj::mv(destroy));
}

void WrapRegistry::remove(void* key) { entries.erase(key); }

void WrapRegistry::destroyAll() {
  auto all = kj::mv(entries);
  for (auto& entry: all) entry.value();
}

namespace {
struct Holder {
  v8::Global<v8::Object> global;
  kj::Function<void()> destroy;
};
}  // namespace

v8::Local<v8::Object> wrapRaw(v8::Local<v8::Context> context, int fieldCount, void* tag,
                              void* value, kj::Function<void()> destroy,
                              v8::FunctionCallback callHandler) {
  auto isolate = context->GetIsolate();
  auto templ = v8::ObjectTemplate::New(isolate);
  templ->SetInternalFieldCount(fieldCount);
  if (callHandler != nullptr) templ->SetCallAsFunctionHandler(callHandler);
  auto object = templ->NewInstance(context).ToLocalChecked();
  object->SetAlignedPointerInInternalField(0, value);
  if (fieldCount > 1) object->SetAlignedPointerInInternalField(1, tag);

  auto holder = new Holder{v8::Global<v8::Object>(isolate, object), kj::mv(destroy)};
  auto& registry = wrapRegistry(isolate);
  registry.add(holder, [holder]() {
    holder->global.Reset();
    holder->destroy();
    delete holder;
  });
  holder->global.SetWeak(
      holder,
      [](const v8::WeakCallbackInfo<Holder>& data) {
        auto h = data.GetParameter();
        auto& registry = wrapRegistry(data.GetIsolate());
        h->global.Reset();
        h->destroy();
        registry.remove(h);
        delete h;
      },
      v8::WeakCallbackType::kParameter);
  return object;
}

WrapRegistry& wrapRegistry(v8::Isolate* isolate) {
  return static_cast<Isolate*>(isolate->GetData(0))->getWrapRegistry();
}

}  // namespace kiln::js
