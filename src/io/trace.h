// What tail workers receive about one event: its outcome, the request it served, what it
// logged and what it threw. Collected by the event's IoContext, turned into the JSON of a
// Workers TraceItem after the event ends.
#pragma once

#include <kj/string.h>
#include <kj/vector.h>

namespace kiln::io {

struct Trace {
  kj::String scriptName;
  kj::Maybe<kj::String> entrypoint;  // A named entrypoint's export name; null: the default.
  double eventTimestamp = 0;
  kj::String method;  // fetch events
  kj::String url;
  kj::String rpcMethod;  // RPC events
  unsigned status = 0;
  kj::String outcome = kj::str("ok");
  // "ok", "exception", "exceededCpu", "exceededMemory", "canceled".

  struct Log {
    kj::String level;
    kj::String message;  // As printed.
    double timestamp;
    kj::Maybe<kj::String> argsJson;
    // The console call's arguments as a JSON array (what a tail gets as `message`); without
    // it, `message` is the printed line alone.
    kj::Maybe<kj::String> errorInfoJson;
    // For arguments that are errors: [{name, message, stack} or null per argument].
  };
  struct Exception {
    kj::String name;
    kj::String message;
    kj::String stack;
    double timestamp;
  };
  kj::Vector<Log> logs;
  size_t logBytes = 0;  // Of the logs' messages (their JSON when there is one).
  static constexpr size_t MAX_LOG_BYTES = 256u << 10;
  // What a tail is handed is bounded like workerd's (it kept 241 logs of 1 KB each): past it,
  // later logs are left out of the event and `truncated` says so.
  bool truncated = false;
  void addLog(Log log);
  kj::Vector<Exception> exceptions;
  kj::String requestHeadersJson = kj::str("{}");  // fetch events: {name: value}, names lowercase
  double cpuTimeMs = 0;
  double wallTimeMs = 0;
  kj::StringPtr executionModel = "stateless";  // "durableObject" for an object's events

  bool rpcThrew = false;  // Not in the TraceItem: streaming tails then get no return event.

  kj::String toJson() const;
};

}  // namespace kiln::io
