#include "src/js/modules.h"

#include "src/js/isolate.h"
#include "src/js/value.h"

#include <kj/debug.h>

namespace kiln::js {

ModuleRegistry::ModuleRegistry(v8::Isolate* isolate, kj::Array<ModuleSource> sources)
    : isolate(isolate) {
  for (auto& source: sources) {
    auto entry = kj::heap<Entry>();
    entry->name = kj::mv(source.name);
    entry->type = source.type;
    entry->content = kj::mv(source.content);
    byName.upsert(entry->name, entry.get(), [](Entry*& existing, Entry* replacement) {});
    entries.add(kj::mv(entry));
  }
}

ModuleRegistry::~ModuleRegistry() noexcept(false) {}

void ModuleRegistry::attach(v8::Local<v8::Context> context) {
  context->SetAlignedPointerInEmbedderData(SLOT_MODULE_REGISTRY, this);
  isolate->SetHostImportModuleDynamicallyCallback(&dynamicImport);
}

v8::MaybeLocal<v8::Promise> ModuleRegistry::dynamicImport(v8::Local<v8::Context> context,
                                                          v8::Local<v8::Data> hostDefinedOptions,
                                                          v8::Local<v8::Value> resourceName,
                                                          v8::Local<v8::String> specifier,
                                                          v8::Local<v8::FixedArray> assertions) {
  auto& self = from(context);
  auto isolate = self.isolate;
  auto resolver = v8::Promise::Resolver::New(context).ToLocalChecked();
  auto referrer = resourceName->IsString() ? toKj(isolate, resourceName) : kj::str();
  auto name = resolveName(referrer, toKj(isolate, specifier));
  v8::TryCatch tryCatch(isolate);
  v8::Local<v8::Object> ns;
  if (self.find(name) == nullptr) {
    (void)resolver->Reject(context, newError(isolate, ErrorType::ERROR,
                                             kj::str("No such module \"", name,
                                                     "\".\n  imported from \"", referrer, "\"")));
  } else if (self.evaluate(context, name).ToLocal(&ns)) {
    (void)resolver->Resolve(context, ns);
  } else if (tryCatch.CanContinue()) {
    (void)resolver->Reject(context, tryCatch.Exception());
  } else {
    tryCatch.ReThrow();
    return {};
  }
  return resolver->GetPromise();
}

ModuleRegistry& ModuleRegistry::from(v8::Local<v8::Context> context) {
  return *static_cast<ModuleRegistry*>(
      context->GetAlignedPointerFromEmbedderData(SLOT_MODULE_REGISTRY));
}

void ModuleRegistry::addBuiltin(kj::StringPtr name, v8::Local<v8::Object> exports) {
  auto entry = kj::heap<Entry>();
  entry->name = kj::heapString(name);
  entry->type = ModuleSource::Type::ES;
  entry->builtin = true;
  entry->builtinExports.Reset(isolate, exports);
  byName.upsert(entry->name, entry.get(),
                [](Entry*& existing, Entry* replacement) { existing = replacement; });
  entries.add(kj::mv(entry));
}

bool ModuleRegistry::has(kj::StringPtr name) const {
  return byName.find(name) != nullptr;
}

ModuleRegistry::Entry* ModuleRegistry::find(kj::StringPtr name) {
  KJ_IF_MAYBE (entry, byName.find(name)) {
    return *entry;
  }
  return nullptr;
}

ModuleRegistry::Entry* ModuleRegistry::findByModule(v8::Local<v8::Module> module) {
  for (auto& entry: entries) {
    if (!entry->module.IsEmpty() && entry->module == module)
      return entry.get();
  }
  return nullptr;
}

kj::String ModuleRegistry::resolveName(kj::StringPtr referrer, kj::StringPtr specifier) {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
    return kj::heapString(specifier.startsWith("/") ? specifier.slice(1) : specifier);
  }
  kj::Vector<kj::String> parts;
  // Start from the referrer's folder.
  kj::StringPtr rest = referrer;
  while (true) {
    KJ_IF_MAYBE (slash, rest.findFirst('/')) {
      parts.add(kj::heapString(rest.slice(0, *slash)));
      rest = rest.slice(*slash + 1);
    } else {
      break;
    }
  }
  rest = specifier;
  while (rest.size() > 0) {
    kj::String part;
    KJ_IF_MAYBE (slash, rest.findFirst('/')) {
      part = kj::heapString(rest.slice(0, *slash));
      rest = rest.slice(*slash + 1);
    } else {
      part = kj::heapString(rest);
      rest = nullptr;
    }
    if (part == "..") {
      if (parts.size() > 0)
        parts.removeLast();
    } else if (part != "." && part.size() > 0) {
      parts.add(kj::mv(part));
    }
  }
  return kj::strArray(parts, "/");
}

v8::MaybeLocal<v8::Module> ModuleRegistry::getModule(v8::Local<v8::Context> context, Entry& entry) {
  if (!entry.module.IsEmpty())
    return entry.module.Get(isolate);

  auto nameStr = newString(isolate, entry.name);
  v8::Local<v8::Module> module;
  if (entry.type == ModuleSource::Type::ES && !entry.builtin) {
    v8::ScriptOrigin origin(isolate, nameStr, 0, 0, false, -1, v8::Local<v8::Value>(), false, false,
                            true /* is_module */);
    v8::ScriptCompiler::Source source(newStringFromChars(isolate, entry.content.asChars()), origin);
    if (!v8::ScriptCompiler::CompileModule(isolate, &source).ToLocal(&module)) {
      return {};
    }
  } else {
    std::vector<v8::Local<v8::String>> exportNames;
    exportNames.push_back(newString(isolate, "default"));
    if (entry.builtin) {
      auto exports = entry.builtinExports.Get(isolate);
      v8::Local<v8::Array> names;
      if (!exports->GetOwnPropertyNames(context).ToLocal(&names))
        return {};
      for (uint32_t i = 0; i < names->Length(); i++) {
        auto name = names->Get(context, i).ToLocalChecked();
        if (name->IsString() && toKj(isolate, name) != "default") {
          exportNames.push_back(name.As<v8::String>());
        }
      }
    }
    module = v8::Module::CreateSyntheticModule(isolate, nameStr, exportNames, &syntheticSteps);
  }
  entry.module.Reset(isolate, module);
  return module;
}

bool ModuleRegistry::compileGraph(v8::Local<v8::Context> context, Entry& entry) {
  bool fresh = entry.module.IsEmpty();
  v8::Local<v8::Module> module;
  if (!getModule(context, entry).ToLocal(&module))
    return false;
  if (!fresh || entry.builtin || entry.type != ModuleSource::Type::ES)
    return true;
  auto requests = module->GetModuleRequests();
  for (int i = 0; i < requests->Length(); i++) {
    auto request = requests->Get(context, i).As<v8::ModuleRequest>();
    auto name = resolveName(entry.name, toKj(isolate, request->GetSpecifier()));
    auto target = find(name);
    if (target == nullptr) {
      throwError(isolate, ErrorType::ERROR,
                 kj::str("No such module \"", name, "\".\n  imported from \"", entry.name, "\""));
      return false;
    }
    if (!compileGraph(context, *target))
      return false;
  }
  return true;
}

v8::MaybeLocal<v8::Module> ModuleRegistry::resolveCallback(v8::Local<v8::Context> context,
                                                           v8::Local<v8::String> specifier,
                                                           v8::Local<v8::FixedArray> assertions,
                                                           v8::Local<v8::Module> referrer) {
  auto& self = from(context);
  auto isolate = self.isolate;
  auto spec = toKj(isolate, specifier);
  auto referrerEntry = self.findByModule(referrer);
  kj::StringPtr referrerName = referrerEntry == nullptr ? "" : referrerEntry->name.asPtr();
  auto name = resolveName(referrerName, spec);
  auto entry = self.find(name);
  if (entry == nullptr) {
    throwError(isolate, ErrorType::ERROR,
               kj::str("No such module \"", name, "\".\n  imported from \"", referrerName, "\""));
    return {};
  }
  return self.getModule(context, *entry);
}

v8::MaybeLocal<v8::Value> ModuleRegistry::syntheticSteps(v8::Local<v8::Context> context,
                                                         v8::Local<v8::Module> module) {
  auto& self = from(context);
  auto isolate = self.isolate;
  auto entry = self.findByModule(module);
  KJ_ASSERT(entry != nullptr);
  auto defaultName = newString(isolate, "default");

  if (entry->builtin) {
    auto exports = entry->builtinExports.Get(isolate);
    v8::Local<v8::Array> names;
    if (!exports->GetOwnPropertyNames(context).ToLocal(&names))
      return {};
    bool hasDefault = false;
    for (uint32_t i = 0; i < names->Length(); i++) {
      auto name = names->Get(context, i).ToLocalChecked();
      if (!name->IsString())
        continue;
      v8::Local<v8::Value> value;
      if (!exports->Get(context, name).ToLocal(&value))
        return {};
      if (module->SetSyntheticModuleExport(isolate, name.As<v8::String>(), value).IsNothing()) {
        return {};
      }
      if (toKj(isolate, name) == "default")
        hasDefault = true;
    }
    if (!hasDefault) {
      if (module->SetSyntheticModuleExport(isolate, defaultName, exports).IsNothing())
        return {};
    }
  } else {
    v8::Local<v8::Value> value;
    if (!self.requireEntry(context, *entry).ToLocal(&value))
      return {};
    if (module->SetSyntheticModuleExport(isolate, defaultName, value).IsNothing())
      return {};
  }
  auto resolver = v8::Promise::Resolver::New(context).ToLocalChecked();
  resolver->Resolve(context, v8::Undefined(isolate)).Check();
  return resolver->GetPromise();
}

v8::MaybeLocal<v8::Value> ModuleRegistry::requireEntry(v8::Local<v8::Context> context,
                                                       Entry& entry) {
  if (!entry.commonJsExports.IsEmpty())
    return entry.commonJsExports.Get(isolate);
  v8::Local<v8::Value> result;
  switch (entry.type) {
    case ModuleSource::Type::TEXT:
      result = newStringFromChars(isolate, entry.content.asChars());
      break;
    case ModuleSource::Type::DATA: {
      v8::Local<v8::ArrayBuffer> buffer;
      if (!newArrayBuffer(isolate, entry.content.size()).ToLocal(&buffer))
        return {};
      if (entry.content.size() > 0) {
        memcpy(buffer->Data(), entry.content.begin(), entry.content.size());
      }
      result = buffer;
      break;
    }
    case ModuleSource::Type::JSON:
      if (!v8::JSON::Parse(context, newStringFromChars(isolate, entry.content.asChars()))
               .ToLocal(&result)) {
        return {};
      }
      break;
    case ModuleSource::Type::COMMON_JS: {
      if (entry.commonJsStarted) {
        // A require() cycle: like Node, hand out the partially filled exports.
        return entry.commonJsExports.Get(isolate);
      }
      entry.commonJsStarted = true;
      auto moduleObj = v8::Object::New(isolate);
      auto exportsObj = v8::Object::New(isolate);
      auto exportsName = newString(isolate, "exports");
      moduleObj->Set(context, exportsName, exportsObj).Check();
      entry.commonJsExports.Reset(isolate, exportsObj);

      v8::ScriptOrigin origin(isolate, newString(isolate, entry.name));
      v8::ScriptCompiler::Source source(newStringFromChars(isolate, entry.content.asChars()),
                                        origin);
      v8::Local<v8::String> params[] = {
          exportsName, newString(isolate, "require"), newString(isolate, "module"),
          newString(isolate, "__filename"), newString(isolate, "__dirname")};
      v8::Local<v8::Function> fn;
      if (!v8::ScriptCompiler::CompileFunction(context, &source, 5, params, 0, nullptr)
               .ToLocal(&fn)) {
        entry.commonJsExports.Reset();
        return {};
      }
      auto require = v8::Function::New(context, &requireCallback, newString(isolate, entry.name))
                         .ToLocalChecked();
      auto dirStr = kj::heapString("");
      KJ_IF_MAYBE (slash, entry.name.findLast('/')) {
        dirStr = kj::heapString(entry.name.slice(0, *slash));
      }
      v8::Local<v8::Value> args[] = {exportsObj, require, moduleObj, newString(isolate, entry.name),
                                     newString(isolate, dirStr)};
      if (fn->Call(context, v8::Undefined(isolate), 5, args).IsEmpty()) {
        entry.commonJsExports.Reset();
        return {};
      }
      if (!moduleObj->Get(context, exportsName).ToLocal(&result))
        return {};
      break;
    }
    case ModuleSource::Type::ES: {
      if (entry.builtin) {
        result = entry.builtinExports.Get(isolate);
        break;
      }
      v8::Local<v8::Object> ns;
      if (!evaluate(context, entry.name).ToLocal(&ns))
        return {};
      result = ns;
      break;
    }
  }
  entry.commonJsExports.Reset(isolate, result);
  return result;
}

void ModuleRegistry::requireCallback(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto& self = from(context);
  if (info.Length() < 1 || !info[0]->IsString()) {
    throwTypeError(isolate, "require() expects a module name string.");
    return;
  }
  auto name = resolveName(toKj(isolate, info.Data()), toKj(isolate, info[0]));
  auto entry = self.find(name);
  if (entry == nullptr) {
    throwError(isolate, ErrorType::ERROR, kj::str("No such module \"", name, "\"."));
    return;
  }
  v8::Local<v8::Value> result;
  if (self.requireEntry(context, *entry).ToLocal(&result))
    info.GetReturnValue().Set(result);
}

v8::MaybeLocal<v8::Object> ModuleRegistry::evaluate(v8::Local<v8::Context> context,
                                                    kj::StringPtr name) {
  auto entry = find(name);
  if (entry == nullptr) {
    throwError(isolate, ErrorType::ERROR, kj::str("No such module \"", name, "\"."));
    return {};
  }
  if (!compileGraph(context, *entry))
    return {};
  auto module = entry->module.Get(isolate);
  if (module->GetStatus() == v8::Module::kUninstantiated) {
    if (module->InstantiateModule(context, &resolveCallback).IsNothing())
      return {};
  }
  if (module->GetStatus() == v8::Module::kInstantiated) {
    v8::Local<v8::Value> result;
    if (!module->Evaluate(context).ToLocal(&result))
      return {};
    isolate->PerformMicrotaskCheckpoint();
    if (result->IsPromise()) {
      auto promise = result.As<v8::Promise>();
      if (promise->State() == v8::Promise::kRejected) {
        isolate->ThrowException(promise->Result());
        return {};
      } else if (promise->State() == v8::Promise::kPending) {
        throwError(isolate, ErrorType::ERROR,
                   kj::str("Top-level await in module \"", name,
                           "\" waited for I/O; module evaluation cannot perform I/O."));
        return {};
      }
    }
  }
  if (module->GetStatus() == v8::Module::kErrored) {
    isolate->ThrowException(module->GetException());
    return {};
  }
  return module->GetModuleNamespace().As<v8::Object>();
}

}  // namespace kiln::js
