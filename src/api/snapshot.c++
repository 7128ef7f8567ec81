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
  for (auto table: {basicNatives(), compressionNatives(), cryptoNatives(), fetchNatives(),
                     rpcNatives()}) {
    for (auto& native: table)
      references->add(reinterpret_cast<intptr_t>(native.callback));
  }
  references->add(reinterpret_cast<intptr_t>(&js::guardedCallback));
  references->add(0);
}

// Runs the built-ins' common paths once, so that the snapshot (which keeps compiled code) holds
// them compiled: otherwise every new isolate compiles the URL parser, Request and Headers on
// first use, about 5 ms of CPU that a worker with `cpuMs: 10` cannot spare. Pure JavaScript
// only (no natives that need a worker), and nothing is left behind in the context.
constexpr char WARM_UP[] = R"JS((() => {
  void new URL("https://user:pw@example.com:8443/").username;
  const url = new URL("https://example.com:8443/a/b/../c?x=1&y=%20#frag");
  url.searchParams.append("z", "2");
  url.searchParams.sort();
  void [url.href, url.origin, url.pathname, url.search, url.hash, String(url.searchParams)];
  void new URL("/relative?q", url).href;
  void new URLSearchParams("a=1&b=2&a=3").getAll("a");
  const headers = new Headers({ "Content-Type": "text/plain", "X-A": "b" });
  headers.set("x-b", "c");
  headers.append("set-cookie", "a=1");
  void [headers.get("content-type"), headers.has("x-a"), [...headers], [...headers.keys()]];
  const request = new Request(url, { method: "POST", headers, body: "hi", redirect: "manual" });
  void [request.method, request.url, request.headers.get("x-a"), request.redirect];
  void new Request(request, { method: "PUT" }).method;
  const response = new Response("body", { status: 201, headers: { "x-r": "1" } });
  void [response.status, response.ok, response.headers.get("x-r"), response.statusText];
  void Response.json({ a: 1 }).headers.get("content-type");
  void Response.redirect("https://example.com/", 302).status;
  void [encodeURIComponent("a b"), decodeURIComponent("a%20b"), JSON.stringify({ a: [1] })];
})())JS";

void warmUp(v8::Local<v8::Context> context) {
  auto isolate = context->GetIsolate();
  v8::TryCatch tryCatch(isolate);
  v8::Local<v8::Script> script;
  if (!v8::Script::Compile(context, js::newString(isolate, WARM_UP)).ToLocal(&script) ||
      script->Run(context).IsEmpty()) {
    // Only slower first requests; say why, as it means a built-in changed shape.
    logLine("warning", "kiln",
            kj::str("snapshot warm-up failed: ", js::describeTryCatch(isolate, tryCatch)));
  }
  isolate->PerformMicrotaskCheckpoint();
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
    warmUp(context);
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
