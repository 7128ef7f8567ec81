// The module graph of one context: a worker's ES modules, CommonJS modules, text/data/json
// modules, and kiln's built-in modules (e.g. "cloudflare:workers").
#pragma once

#include <v8.h>
#include <kj/array.h>
#include <kj/map.h>
#include <kj/string.h>
#include <kj/vector.h>

namespace kiln::js {

struct ModuleSource {
  enum class Type { ES, COMMON_JS, TEXT, DATA, JSON };
  kj::String name;
  Type type;
  kj::Array<kj::byte> content;
};

class ModuleRegistry {
 public:
  ModuleRegistry(v8::Isolate* isolate, kj::Array<ModuleSource> sources);
  ~ModuleRegistry() noexcept(false);
  KJ_DISALLOW_COPY(ModuleRegistry);

  void attach(v8::Local<v8::Context> context);
  // Must be called once before evaluate(); resolution callbacks find the registry through it.

  void addBuiltin(kj::StringPtr name, v8::Local<v8::Object> exports);
  // A synthetic module whose named exports are the object's own enumerable properties.

  v8::MaybeLocal<v8::Object> evaluate(v8::Local<v8::Context> context, kj::StringPtr name);
  // Instantiates and evaluates the named module and everything it imports, returning its
  // namespace. On failure a JavaScript exception is pending. Top-level await may only wait on
  // microtasks: module evaluation happens outside any request, where no I/O is possible.

  bool has(kj::StringPtr name) const;

  static kj::String resolveName(kj::StringPtr referrer, kj::StringPtr specifier);
  // "dir/a.js" + "./b.js" -> "dir/b.js". Bare names are taken as-is, without a leading "/".

 private:
  struct Entry {
    kj::String name;
    ModuleSource::Type type;
    kj::Array<kj::byte> content;
    bool builtin = false;
    v8::Global<v8::Module> module;
    v8::Global<v8::Object> builtinExports;
    v8::Global<v8::Value> commonJsExports;
    bool commonJsStarted = false;
  };

  v8::Isolate* isolate;
  kj::Vector<kj::Own<Entry>> entries;
  kj::HashMap<kj::StringPtr, Entry*> byName;

  Entry* find(kj::StringPtr name);
  Entry* findByModule(v8::Local<v8::Module> module);
  v8::MaybeLocal<v8::Module> getModule(v8::Local<v8::Context> context, Entry& entry);
  bool compileGraph(v8::Local<v8::Context> context, Entry& entry);
  // Compiles the module and everything it imports statically, so that syntax errors and
  // missing modules are reported here rather than from inside V8's resolve callback.
  v8::MaybeLocal<v8::Value> requireEntry(v8::Local<v8::Context> context, Entry& entry);

  static ModuleRegistry& from(v8::Local<v8::Context> context);
  static v8::MaybeLocal<v8::Module> resolveCallback(v8::Local<v8::Context> context,
                                                    v8::Local<v8::String> specifier,
                                                    v8::Local<v8::FixedArray> assertions,
                                                    v8::Local<v8::Module> referrer);
  static v8::MaybeLocal<v8::Value> syntheticSteps(v8::Local<v8::Context> context,
                                                  v8::Local<v8::Module> module);
  static void requireCallback(const v8::FunctionCallbackInfo<v8::Value>& info);
  static v8::MaybeLocal<v8::Promise> dynamicImport(v8::Local<v8::Context> context,
                                                   v8::Local<v8::Data> hostDefinedOptions,
                                                   v8::Local<v8::Value> resourceName,
                                                   v8::Local<v8::String> specifier,
                                                   v8::Local<v8::FixedArray> assertions);
};

}  // namespace kiln::js
