#include "src/io/trace.h"

#include "src/util/log.h"

#include <cmath>

namespace kiln::io {
namespace {
kj::String number(double value) {
  return kj::str(int64_t(std::llround(value)));
}
}  // namespace

void Trace::addLog(Log log) {
  size_t bytes = log.message.size();
  KJ_IF_MAYBE (json, log.argsJson) {
    bytes = json->size();
  }
  if (truncated || logBytes + bytes > MAX_LOG_BYTES) {
    truncated = true;
    return;
  }
  logBytes += bytes;
  logs.add(kj::mv(log));
}

kj::String Trace::toJson() const {
  kj::Vector<kj::String> logParts;
  for (auto& log: logs) {
    auto message = log.argsJson.map([](const kj::String& json) { return kj::str(json); })
                       .orDefault(kj::str("[", jsonQuote(log.message), "]"));
    logParts.add(kj::str("{\"level\":", jsonQuote(log.level), ",\"message\":", message,
                         ",\"timestamp\":", number(log.timestamp), "}"));
  }
  kj::Vector<kj::String> exceptionParts;
  for (auto& e: exceptions) {
    exceptionParts.add(
        kj::str("{\"name\":", jsonQuote(e.name), ",\"message\":", jsonQuote(e.message),
                ",\"stack\":", jsonQuote(e.stack), ",\"timestamp\":", number(e.timestamp), "}"));
  }
  auto event =
      rpcMethod.size() > 0 ? kj::str("{\"rpcMethod\":", jsonQuote(rpcMethod), "}")
      : method.size() > 0
          ? kj::str("{\"request\":{\"method\":", jsonQuote(method), ",\"url\":", jsonQuote(url),
                    ",\"headers\":", requestHeadersJson, "},\"response\":",
                    status > 0 ? kj::str("{\"status\":", status, "}") : kj::str("null"), "}")
          : kj::str("null");
  return kj::str("{\"scriptName\":", jsonQuote(scriptName), ",\"outcome\":", jsonQuote(outcome),
                 ",\"eventTimestamp\":", number(eventTimestamp), ",\"event\":", event,
                 ",\"logs\":[", kj::strArray(logParts, ","), "],\"exceptions\":[",
                 kj::strArray(exceptionParts, ","), "],\"diagnosticsChannelEvents\":[]",
                 ",\"cpuTime\":", number(cpuTimeMs), ",\"wallTime\":", number(wallTimeMs),
                 ",\"truncated\":", truncated ? "true" : "false",
                 ",\"executionModel\":", jsonQuote(executionModel), "}");
}

}  // namespace kiln::io
