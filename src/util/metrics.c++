#include "src/util/metrics.h"

#include <kj/map.h>
#include <kj/vector.h>
#include <atomic>
#include <cstdio>
#include <mutex>

namespace kiln::metrics {
namespace {

std::mutex mutex;
kj::HashMap<kj::String, uint64_t>* requests = nullptr;  // "worker\0outcome" -> count
kj::HashMap<kj::String, int64_t>* cpuNanos = nullptr;
kj::HashMap<kj::String, uint64_t>* sqliteBytes = nullptr;
std::atomic<uint64_t> killsCpu{0}, killsMemory{0}, loads{0}, coldStarts{0}, evictions{0},
    objectEvictions{0};
std::atomic<int64_t> liveIsolates{0};

void ensure() {
  if (requests == nullptr) {
    requests = new kj::HashMap<kj::String, uint64_t>();
    cpuNanos = new kj::HashMap<kj::String, int64_t>();
    sqliteBytes = new kj::HashMap<kj::String, uint64_t>();
  }
}

kj::String escape(kj::StringPtr value) {
  kj::Vector<char> out;
  for (char c: value) {
    if (c == '\\' || c == '"')
      out.add('\\');
    if (c == '\n') {
      out.addAll(kj::StringPtr("\\n"));
      continue;
    }
    out.add(c);
  }
  out.add('\0');
  return kj::String(out.releaseAsArray());
}

}  // namespace

void countRequest(kj::StringPtr worker, kj::StringPtr outcome) {
  std::lock_guard<std::mutex> lock(mutex);
  ensure();
  auto key = kj::str(worker, '\0', outcome);
  KJ_IF_MAYBE (count, requests->find(key)) {
    ++*count;
  } else {
    requests->insert(kj::mv(key), 1);
  }
}

void addCpuNanos(kj::StringPtr worker, int64_t nanos) {
  std::lock_guard<std::mutex> lock(mutex);
  ensure();
  KJ_IF_MAYBE (total, cpuNanos->find(worker)) {
    *total += nanos;
  } else {
    cpuNanos->insert(kj::str(worker), nanos);
  }
}

void setSqliteBytes(kj::StringPtr ns, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex);
  ensure();
  sqliteBytes->upsert(kj::str(ns), bytes,
                      [](uint64_t& existing, uint64_t&& value) { existing = value; });
}

void countLimitKill(kj::StringPtr reason) {
  if (reason == "memory") {
    ++killsMemory;
  } else {
    ++killsCpu;
  }
}

void countDynamicLoad(bool cold) {
  ++loads;
  if (cold)
    ++coldStarts;
}

void countEviction() {
  ++evictions;
}
void countObjectEviction() {
  ++objectEvictions;
}
void isolateCreated() {
  ++liveIsolates;
}
void isolateDestroyed() {
  --liveIsolates;
}

kj::String render() {
  kj::Vector<kj::String> lines;
  lines.add(
      kj::str("# HELP kiln_live_isolates V8 isolates currently alive (workers, dynamic "
              "workers, prepared spares).\n# TYPE kiln_live_isolates gauge\n"
              "kiln_live_isolates ",
              liveIsolates.load(), "\n"));
  lines.add(
      kj::str("# HELP kiln_dynamic_loads_total Dynamic workers started (load(), and get() "
              "of an id with no warm worker).\n# TYPE kiln_dynamic_loads_total counter\n"
              "kiln_dynamic_loads_total ",
              loads.load(), "\n"));
  lines.add(
      kj::str("# HELP kiln_cold_starts_total Dynamic worker starts that had to create an "
              "isolate on the spot (none was prepared ahead).\n# TYPE kiln_cold_starts_total counter\n"
              "kiln_cold_starts_total ",
              coldStarts.load(), "\n"));
  lines.add(
      kj::str("# HELP kiln_evictions_total Named dynamic workers evicted from a loader "
              "cache.\n# TYPE kiln_evictions_total counter\n"
              "kiln_evictions_total ",
              evictions.load(), "\n"));
  lines.add(
      kj::str("# HELP kiln_object_evictions_total Idle Durable Objects dropped from memory (they "
              "come back from their files).\n# TYPE kiln_object_evictions_total counter\n"
              "kiln_object_evictions_total ",
              objectEvictions.load(), "\n"));
  lines.add(
      kj::str("# HELP kiln_limit_kills_total Invocations terminated for exceeding a "
              "limit.\n# TYPE kiln_limit_kills_total counter\n"
              "kiln_limit_kills_total{reason=\"cpu\"} ",
              killsCpu.load(),
              "\n"
              "kiln_limit_kills_total{reason=\"memory\"} ",
              killsMemory.load(), "\n"));
  std::lock_guard<std::mutex> lock(mutex);
  ensure();
  lines.add(
      kj::str("# HELP kiln_requests_total Events handled, by worker and outcome.\n"
              "# TYPE kiln_requests_total counter\n"));
  for (auto& entry: *requests) {
    kj::StringPtr key = entry.key;
    auto worker = kj::heapString(key.cStr());
    auto outcome = kj::heapString(key.slice(worker.size() + 1));
    lines.add(kj::str("kiln_requests_total{worker=\"", escape(worker), "\",outcome=\"",
                      escape(outcome), "\"} ", entry.value, "\n"));
  }
  lines.add(
      kj::str("# HELP kiln_cpu_seconds_total CPU time spent running JavaScript, by "
              "worker.\n# TYPE kiln_cpu_seconds_total counter\n"));
  for (auto& entry: *cpuNanos) {
    char buf[32];
    snprintf(buf, sizeof(buf), "%.6f", entry.value / 1e9);
    lines.add(kj::str("kiln_cpu_seconds_total{worker=\"", escape(entry.key), "\"} ", buf, "\n"));
  }
  lines.add(
      kj::str("# HELP kiln_sqlite_bytes SQLite bytes of the Durable Objects loaded since "
              "start, by namespace.\n# TYPE kiln_sqlite_bytes gauge\n"));
  for (auto& entry: *sqliteBytes) {
    lines.add(
        kj::str("kiln_sqlite_bytes{namespace=\"", escape(entry.key), "\"} ", entry.value, "\n"));
  }
  return kj::strArray(lines, "");
}

}  // namespace kiln::metrics
