// The daemon's log: one line per event, to stderr, human-readable or JSON.
#pragma once

#include <kj/string.h>
#include <cstdint>

namespace kiln {

enum class LogFormat { TEXT, JSON };
void setLogFormat(LogFormat format);

void logLine(kj::StringPtr level, kj::StringPtr source, kj::StringPtr message);
// `source` names the worker or component. Lines are written with a single write() so that
// threads never interleave within a line.

kj::String jsonQuote(kj::StringPtr text);

void logEvent(kj::StringPtr worker, uint64_t eventId, kj::StringPtr method, kj::StringPtr url,
              unsigned status, int64_t durationMicros, int64_t cpuMicros, kj::StringPtr outcome);
// One line per event (request) a worker handled.

}  // namespace kiln
