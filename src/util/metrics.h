// Process-wide counters for the admin socket's /metrics (Prometheus text format). Cheap to
// update from any thread; labels are kept to worker names (dynamic workers are counted under
// their parent, so that per-load names cannot blow up the label set).
#pragma once

#include <kj/string.h>
#include <cstdint>

namespace kiln::metrics {

void countRequest(kj::StringPtr worker, kj::StringPtr outcome);
void addCpuNanos(kj::StringPtr worker, int64_t nanos);
void countLimitKill(kj::StringPtr reason);  // "cpu", "memory"
void countDynamicLoad(bool cold);           // every load()/get() miss starts an isolate
void countEviction();
void countObjectEviction();  // idle Durable Objects dropped from memory
void isolateCreated();
void isolateDestroyed();
void setSqliteBytes(kj::StringPtr ns, uint64_t bytes);  // a Durable Object namespace's files

kj::String render();
// The whole registry in Prometheus text exposition format.

}  // namespace kiln::metrics
