// Times the pieces of a dynamic worker's cold start without any HTTP in between: constructing
// a Worker (isolate from the startup snapshot, context, built-ins, module evaluation) and
// destroying it. Run: bazel run --config=bench //tools/bench:worker-startup-bench

#include "src/api/snapshot.h"
#include "src/worker/worker.h"
#include "src/js/isolate.h"

#include <kj/async-io.h>
#include <kj/debug.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>
#include <unistd.h>

namespace {

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void report(const char* what, std::vector<double>& samples) {
  std::sort(samples.begin(), samples.end());
  printf("%-34s p50 %7.3f ms   p99 %7.3f ms   (n=%zu)\n", what, samples[samples.size() / 2],
         samples[samples.size() * 99 / 100], samples.size());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kiln;
  int n = argc > 1 ? atoi(argv[1]) : 300;
  auto io = kj::setupAsyncIo();
  kj::HttpHeaderTable table;
  auto start = std::chrono::steady_clock::now();
  api::getStartupSnapshot();
  printf("startup snapshot built in %.1f ms (once per process)\n", msSince(start));

  std::vector<double> isolateOnly, isolateContext, plainIsolate;
  for (int i = 0; i < n; i++) {
    js::IsolateLimits limits;
    limits.snapshot = api::getStartupSnapshot();
    limits.externalReferences = api::getExternalReferences();
    auto t0 = std::chrono::steady_clock::now();
    {
      js::Isolate isolate(limits);
      isolateOnly.push_back(msSince(t0));
      v8::Isolate::Scope scope(isolate.get());
      v8::HandleScope handles(isolate.get());
      isolate.newContext();
      isolateContext.push_back(msSince(t0));
    }
    auto t1 = std::chrono::steady_clock::now();
    {
      js::Isolate isolate;  // V8's own snapshot, no kiln built-ins
      v8::Isolate::Scope scope(isolate.get());
      v8::HandleScope handles(isolate.get());
      isolate.newContext();
      plainIsolate.push_back(msSince(t1));
    }
  }
  report("isolate (kiln snapshot)", isolateOnly);
  report("isolate + context (kiln snapshot)", isolateContext);
  report("isolate + context (V8's snapshot)", plainIsolate);

  std::vector<double> construct, destroy;
  for (int i = 0; i < n; i++) {
    worker::WorkerSource source;
    source.name = kj::str("bench");
    auto module = kj::str("export default { fetch() { return new Response('hello'); } };");
    auto modules = kj::heapArrayBuilder<js::ModuleSource>(1);
    modules.add(js::ModuleSource{kj::str("main.js"), js::ModuleSource::Type::ES,
                                 kj::heapArray<kj::byte>(module.asBytes())});
    source.modules = modules.finish();
    source.mainModule = kj::str("main.js");
    source.compatibilityDate = kj::str("2024-09-01");
    worker::WorkerOptions options{
        io.provider->getTimer(), table, nullptr, {}, [](kj::StringPtr, kj::StringPtr) {}};
    auto t0 = std::chrono::steady_clock::now();
    auto w = kj::heap<worker::Worker>(kj::mv(source), kj::mv(options));
    construct.push_back(msSince(t0));
    auto t1 = std::chrono::steady_clock::now();
    w = nullptr;
    destroy.push_back(msSince(t1));
  }
  report("Worker construction", construct);
  report("Worker destruction", destroy);

  // The same with an isolate prepared ahead of demand; a pause between workers lets the pool's
  // background thread refill, as idle time between requests would.
  std::vector<double> pooled;
  for (int i = 0; i < n; i++) {
    worker::WorkerSource source;
    source.name = kj::str("bench");
    auto module = kj::str("export default { fetch() { return new Response('hello'); } };");
    auto modules = kj::heapArrayBuilder<js::ModuleSource>(1);
    modules.add(js::ModuleSource{kj::str("main.js"), js::ModuleSource::Type::ES,
                                 kj::heapArray<kj::byte>(module.asBytes())});
    source.modules = modules.finish();
    source.mainModule = kj::str("main.js");
    source.compatibilityDate = kj::str("2024-09-01");
    js::IsolateLimits limits;
    limits.usePool = true;
    worker::WorkerOptions options{io.provider->getTimer(), table, nullptr, limits,
                                  [](kj::StringPtr, kj::StringPtr) {}};
    usleep(5000);
    auto t0 = std::chrono::steady_clock::now();
    auto w = kj::heap<worker::Worker>(kj::mv(source), kj::mv(options));
    pooled.push_back(msSince(t0));
  }
  report("Worker construction (pooled)", pooled);
  return 0;
}
