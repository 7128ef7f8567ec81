#include "src/js/wrap.h"

#include "src/js/isolate.h"
#include "src/js/value.h"

#include <kj/debug.h>

namespace kiln::js {

WrapRegistry::~WrapRegistry() noexcept(false) {
  destroyAll();
}

void WrapRegistry::add(void* key, kj::Function<void()> destroy) {
  entries.insert(key, kj::mv(destroy));
}

void WrapRegistry::remove(void* key) {
  entries.erase(key);
}

void WrapRegistry::destroyAll() {
  auto all = kj::mv(entries);
  for (auto& entry: all)
    entry.value();
  templates.clear();
  prototypes.clear();
}

v8::Local<v8::Object> WrapRegistry::getPrototype(v8::Local<v8::Context> context, void* tag,
                                                 kj::ArrayPtr<const Method> methods) {
  auto isolate = context->GetIsolate();
  KJ_IF_MAYBE (existing, prototypes.find(tag)) {
    return existing->Get(isolate);
  }
  auto proto = v8::Object::New(isolate);
  for (auto& method: methods) {
    auto name = v8::String::NewFromUtf8(isolate, method.name).ToLocalChecked();
    auto fn = newGuardedFunction(context, method.callback);
    fn->SetName(name);
    proto->Set(context, name, fn).Check();
  }
  prototypes.insert(tag, v8::Global<v8::Object>(isolate, proto));
  return proto;
}

v8::Local<v8::ObjectTemplate> WrapRegistry::getTemplate(
    v8::Isolate* isolate, int fieldCount, v8::FunctionCallback callHandler,
    v8::GenericNamedPropertyGetterCallback namedGetter) {
  for (auto& cached: templates) {
    if (cached.fieldCount == fieldCount && cached.callHandler == callHandler &&
        cached.namedGetter == namedGetter) {
      return cached.templ.Get(isolate);
    }
  }
  auto templ = v8::ObjectTemplate::New(isolate);
  templ->SetInternalFieldCount(fieldCount);
  if (callHandler != nullptr)
    templ->SetCallAsFunctionHandler(callHandler);
  if (namedGetter != nullptr) {
    // Non-masking: only for names the object and its prototype chain do not have.
    templ->SetHandler(v8::NamedPropertyHandlerConfiguration(namedGetter, nullptr, nullptr, nullptr,
                                                            nullptr, v8::Local<v8::Value>(),
                                                            v8::PropertyHandlerFlags::kNonMasking));
  }
  templates.add(CachedTemplate{fieldCount, callHandler, namedGetter,
                               v8::Global<v8::ObjectTemplate>(isolate, templ)});
  return templ;
}

namespace {
struct Holder {
  v8::Global<v8::Object> global;
  kj::Function<void()> destroy;
  int64_t externalBytes;
};
}  // namespace

v8::Local<v8::Object> wrapRaw(v8::Local<v8::Context> context, int fieldCount, void* tag,
                              void* value, kj::Function<void()> destroy,
                              v8::FunctionCallback callHandler, int64_t externalBytes,
                              v8::GenericNamedPropertyGetterCallback namedGetter) {
  auto isolate = context->GetIsolate();
  auto templ = wrapRegistry(isolate).getTemplate(isolate, fieldCount, callHandler, namedGetter);
  auto object = templ->NewInstance(context).ToLocalChecked();
  object->SetAlignedPointerInInternalField(0, value);
  if (fieldCount > 1)
    object->SetAlignedPointerInInternalField(1, tag);

  auto holder = new Holder{v8::Global<v8::Object>(isolate, object), kj::mv(destroy), externalBytes};
  if (externalBytes != 0)
    isolate->AdjustAmountOfExternalAllocatedMemory(externalBytes);
  auto& registry = wrapRegistry(isolate);
  registry.add(holder, [holder]() {
    holder->global.Reset();
    holder->destroy();
    delete holder;
  });
  holder->global.SetWeak(
      holder,
      [](const v8::WeakCallbackInfo<Holder>& data) {
        // First pass: only drop the handle. The C++ side may own a whole other isolate, which
        // must not be torn down in the middle of this one's garbage collection.
        data.GetParameter()->global.Reset();
        data.SetSecondPassCallback([](const v8::WeakCallbackInfo<Holder>& data) {
          auto h = data.GetParameter();
          auto isolate = data.GetIsolate();
          wrapRegistry(isolate).remove(h);
          if (h->externalBytes != 0) {
            isolate->AdjustAmountOfExternalAllocatedMemory(-h->externalBytes);
          }
          h->destroy();
          delete h;
        });
      },
      v8::WeakCallbackType::kParameter);
  return object;
}

WrapRegistry& wrapRegistry(v8::Isolate* isolate) {
  return static_cast<Isolate*>(isolate->GetData(0))->getWrapRegistry();
}

}  // namespace kiln::js
