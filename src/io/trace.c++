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
  KJ_IF_MAYBE (json, log.errorInfoJson) {
    bytes += json->size();
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
    auto errorInfo =
        log.errorInfoJson
            .map([](const kj::String& json) { return kj::str(",\"errorInfo\":", json); })
            .orDefault(kj::str());
    logParts.add(kj::str("{\"level\":", jsonQuote(log.level), ",\"message\":", message, errorInfo,
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
  auto entrypointJson =
      entrypoint.map([](const kj::String& e) { return kj::str(",\"entrypoint\":", jsonQuote(e)); })
          .orDefault(kj::str());
  return kj::str("{\"scriptName\":", jsonQuote(scriptName), entrypointJson,
                 ",\"outcome\":", jsonQuote(outcome),
                 ",\"eventTimestamp\":", number(eventTimestamp), ",\"event\":", event,
                 ",\"logs\":[", kj::strArray(logParts, ","), "],\"exceptions\":[",
                 kj::strArray(exceptionParts, ","), "],\"diagnosticsChannelEvents\":[]",
                 ",\"cpuTime\":", number(cpuTimeMs), ",\"wallTime\":", number(wallTimeMs),
                 ",\"truncated\":", truncated ? "true" : "false",
                 ",\"executionModel\":", jsonQuote(executionModel), "}");
}

}  // namespace kiln::io
