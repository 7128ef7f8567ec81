// The daemon's log: one line per event, to stderr, human-readable or JSON.
#pragma once

#include <kj/string.h>

namespace kiln {

enum class LogFormat { TEXT, JSON };
void setLogFormat(LogFormat format);

void logLine(kj::StringPtr level, kj::StringPtr source, kj::StringPtr message);
// `source` names the worker or component. Lines are written with a single write() so that
// threads never interleave within a line.

kj::String jsonQuote(kj::StringPtr text);

}  // namespace kiln
