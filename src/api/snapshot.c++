#include "src/api/snapshot.h"

#include "src/api/js-api.h"
#include "src/api/natives.h"
#include "src/js/platform.h"
#include "src/js/value.h"
#include "src/util/log.h"

#include <kj/debug.h>
#include <kj/vector.h>
#include <mutex>

namespace kiln::api {
namespace {

std::once_flag snapshotOnce;
v8::StartupData snapshotBlob = {nullptr, 0};
kj::Vector<intptr_t>* references = nullptr;

void buildReferences() {
  references = new kj::Vector<intptr_t>();
  for (auto table: {basicNatives(), compressionNatives(), fetchNatives(), rpcNatives()}) {
    for (auto& native: table)
      references->add(reinterpret_cast<intptr_t>(native.callback));
  }
  references->add(reinterpret_cast<intptr_t>(&js::guardedCallback));
  references->add(0);
}

void buildSnapshot() {
  js::initializeV8();
  v8::SnapshotCreator creator(references->begin());
  auto isolate = creator.GetIsolate();
  {
    v8::HandleScope scope(isolate);
    auto context = v8::Context::New(isolate);
    v8::Context::Scope contextScope(context);
    auto natives = v8::Object::New(isolate);
    auto internal = v8::Object::New(isolate);
    installNatives(context, natives);
    KJ_IF_MAYBE (error, evaluateBuiltins(context, natives, internal)) {
      logLine("error", "kiln", kj::str("startup snapshot not built: ", *error));
      return;
    }
    creator.SetDefaultContext(context);
    KJ_ASSERT(creator.AddData(context, natives) == SNAPSHOT_NATIVES);
    KJ_ASSERT(creator.AddData(context, internal) == SNAPSHOT_INTERNAL);
  }
  // Keep compiled functions: the built-ins' hot paths start warm in every new context.
  snapshotBlob = creator.CreateBlob(v8::SnapshotCreator::FunctionCodeHandling::kKeep);
}

}  // namespace

const intptr_t* getExternalReferences() {
  static std::once_flag once;
  std::call_once(once, buildReferences);
  return references->begin();
}

const v8::StartupData* getStartupSnapshot() {
  getExternalReferences();
  std::call_once(snapshotOnce, buildSnapshot);
  return snapshotBlob.data == nullptr ? nullptr : &snapshotBlob;
}

}  // namespace kiln::api
