#include "src/util/log.h"

#include <kj/vector.h>
#include <atomic>
#include <cstdio>
#include <time.h>
#include <unistd.h>

namespace kiln {
namespace {
std::atomic<LogFormat> logFormat{LogFormat::TEXT};

kj::String timestamp() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char ms[8];
  snprintf(ms, sizeof(ms), ".%03ldZ", ts.tv_nsec / 1000000);
  return kj::str(buf, ms);
}
}  // namespace

void setLogFormat(LogFormat format) {
  logFormat = format;
}

kj::String jsonQuote(kj::StringPtr text) {
  kj::Vector<char> out(text.size() + 2);
  out.add('"');
  for (char c: text) {
    switch (c) {
      case '"':
        out.addAll(kj::StringPtr("\\\""));
        break;
      case '\\':
        out.addAll(kj::StringPtr("\\\\"));
        break;
      case '\n':
        out.addAll(kj::StringPtr("\\n"));
        break;
      case '\r':
        out.addAll(kj::StringPtr("\\r"));
        break;
      case '\t':
        out.addAll(kj::StringPtr("\\t"));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\u%04x", c);
          out.addAll(kj::StringPtr(buf));
        } else {
          out.add(c);
        }
    }
  }
  out.add('"');
  out.add('\0');
  return kj::String(out.releaseAsArray());
}

namespace {
void writeLine(kj::StringPtr line);
kj::String millis(int64_t micros) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.3f", micros / 1000.0);
  return kj::str(buf);
}
}  // namespace

void logEvent(kj::StringPtr worker, uint64_t eventId, kj::StringPtr method, kj::StringPtr url,
              unsigned status, int64_t durationMicros, int64_t cpuMicros, kj::StringPtr outcome) {
  if (logFormat == LogFormat::JSON) {
    writeLine(
        kj::str("{\"time\":\"", timestamp(), "\",\"level\":\"info\",\"source\":", jsonQuote(worker),
                ",\"event\":\"", method == "RPC" ? "rpc" : "fetch", "\",\"requestId\":", eventId,
                ",\"method\":", jsonQuote(method), ",\"url\":", jsonQuote(url),
                ",\"status\":", status, ",\"durationMs\":", millis(durationMicros),
                ",\"cpuMs\":", millis(cpuMicros), ",\"outcome\":", jsonQuote(outcome), "}\n"));
  } else {
    writeLine(kj::str(timestamp(), " info [", worker, "] #", eventId, " ", method, " ", url, " ",
                      status, " ", outcome, " ", millis(durationMicros), " ms (cpu ",
                      millis(cpuMicros), " ms)\n"));
  }
}

void logLine(kj::StringPtr level, kj::StringPtr source, kj::StringPtr message) {
  kj::String line;
  if (logFormat == LogFormat::JSON) {
    line = kj::str("{\"time\":\"", timestamp(), "\",\"level\":", jsonQuote(level),
                   ",\"source\":", jsonQuote(source), ",\"message\":", jsonQuote(message), "}\n");
  } else {
    line = kj::str(timestamp(), " ", level, " [", source, "] ", message, "\n");
  }
  writeLine(line);
}

namespace {
void writeLine(kj::StringPtr line) {
  const char* p = line.begin();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = write(STDERR_FILENO, p, left);
    if (n <= 0)
      break;
    p += n;
    left -= n;
  }
}
}  // namespace

}  // namespace kiln
