// C++ objects owned by JavaScript objects. The C++ side is deleted when the JS object is
// collected, or when the isolate is torn down (V8 runs no weak callbacks then), so disposing an
// isolate gives all of its memory back.
#pragma once

#include <v8.h>
#include <kj/function.h>
#include <kj/map.h>
#include <kj/memory.h>
#include <kj/vector.h>

namespace kiln::js {

class WrapRegistry {
  // One per isolate (reachable from the isolate's data slot 0 via js::Isolate).
 public:
  ~WrapRegistry() noexcept(false);
  void add(void* key, kj::Function<void()> destroy);
  void remove(void* key);
  void destroyAll();

  v8::Local<v8::ObjectTemplate> getTemplate(v8::Isolate* isolate, int fieldCount,
                                            v8::FunctionCallback callHandler,
                                            v8::GenericNamedPropertyGetterCallback namedGetter);
  // namedGetter, if any, answers property reads the object and its prototypes cannot.
  // Templates are cached: instantiating a cached template is much cheaper than a new one.

  struct Method {
    const char* name;
    v8::FunctionCallback callback;
  };
  v8::Local<v8::Object> getPrototype(v8::Local<v8::Context> context, void* tag,
                                     kj::ArrayPtr<const Method> methods);
  // One prototype object per tag, holding `methods` (which find their object via `this`), so
  // wrapped objects do not need functions of their own.

 private:
  kj::HashMap<void*, kj::Function<void()>> entries;
  struct CachedTemplate {
    int fieldCount;
    v8::FunctionCallback callHandler;
    v8::GenericNamedPropertyGetterCallback namedGetter;
    v8::Global<v8::ObjectTemplate> templ;
  };
  kj::Vector<CachedTemplate> templates;
  kj::HashMap<void*, v8::Global<v8::Object>> prototypes;
};

WrapRegistry& wrapRegistry(v8::Isolate* isolate);

v8::Local<v8::Object> wrapRaw(v8::Local<v8::Context> context, int fieldCount, void* tag,
                              void* value, kj::Function<void()> destroy,
                              v8::FunctionCallback callHandler = nullptr, int64_t externalBytes = 0,
                              v8::GenericNamedPropertyGetterCallback namedGetter = nullptr);
// `externalBytes` is memory the C++ side keeps alive outside V8's view (e.g. another worker's
// isolate); V8 counts it when deciding to collect garbage, so such objects do not pile up.
// An object with `fieldCount` (1 or 2) internal fields: 0 holds `value`, 1 holds `tag` (a type
// marker so that natives can tell their objects from look-alikes).

template <typename T>
v8::Local<v8::Object> wrap(v8::Local<v8::Context> context, kj::Own<T> value, void* tag = nullptr,
                           v8::FunctionCallback callHandler = nullptr, int64_t externalBytes = 0,
                           v8::GenericNamedPropertyGetterCallback namedGetter = nullptr) {
  T* ptr = value.get();
  auto raw = new kj::Own<T>(kj::mv(value));
  return wrapRaw(
      context, tag == nullptr ? 1 : 2, tag, ptr, [raw]() { delete raw; }, callHandler,
      externalBytes, namedGetter);
}

template <typename T>
kj::Maybe<T&> unwrap(v8::Local<v8::Value> value, void* tag) {
  if (!value->IsObject())
    return nullptr;
  auto obj = value.As<v8::Object>();
  if (obj->InternalFieldCount() != 2)
    return nullptr;
  if (obj->GetAlignedPointerFromInternalField(1) != tag)
    return nullptr;
  return *static_cast<T*>(obj->GetAlignedPointerFromInternalField(0));
}

template <typename T>
v8::Local<v8::Object> wrapWithMethods(v8::Local<v8::Context> context, kj::Own<T> value, void* tag,
                                      kj::ArrayPtr<const WrapRegistry::Method> methods,
                                      int64_t externalBytes = 0) {
  auto object = wrap(context, kj::mv(value), tag, nullptr, externalBytes);
  auto proto = wrapRegistry(context->GetIsolate()).getPrototype(context, tag, methods);
  object->SetPrototype(context, proto).Check();
  return object;
}

template <typename T>
kj::Maybe<T&> unwrapThis(const v8::FunctionCallbackInfo<v8::Value>& info, void* tag) {
  return unwrap<T>(info.This(), tag);
}

template <typename T>
T& unwrapUnchecked(v8::Local<v8::Object> obj) {
  return *static_cast<T*>(obj->GetAlignedPointerFromInternalField(0));
}

}  // namespace kiln::js
