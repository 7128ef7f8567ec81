# Docs: Dynamic Workers > Observability (docs lines 3112-3323). The Tail Worker (verbatim,
# dynamic-worker-tail.js) attached as the docs show (observability-attach.js), and the real-time
# log pattern through a Durable Object (observability-realtime.js). The docs' wrangler
# `observability` setting (Workers Logs) has no kiln counterpart: log-capture.js records what
# DynamicWorkerTail writes to the loader Worker's console instead.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "observability-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "ATTACH", service = "attach"),
        (name = "ATTACH_RAW", service = "attach-raw"),
        (name = "REALTIME", service = "realtime"),
      ],
    )),
    (name = "attach", worker = (
      modules = [
        (name = "observability-attach.js", esModule = embed "observability-attach.js"),
        (name = "dynamic-worker-tail.js", esModule = embed "dynamic-worker-tail.js"),
        (name = "log-capture.js", esModule = embed "log-capture.js"),
        (name = "loader-defaults.js", esModule = embed "loader-defaults.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ()), (name = "FILL_DATE", json = "true")],
    )),
    # The same, with the fragment's WorkerCode handed to the real binding as it is.
    (name = "attach-raw", worker = (
      modules = [
        (name = "observability-attach.js", esModule = embed "observability-attach.js"),
        (name = "dynamic-worker-tail.js", esModule = embed "dynamic-worker-tail.js"),
        (name = "log-capture.js", esModule = embed "log-capture.js"),
        (name = "loader-defaults.js", esModule = embed "loader-defaults.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ()), (name = "FILL_DATE", json = "false")],
    )),
    (name = "realtime", worker = (
      modules = [(name = "observability-realtime.js", esModule = embed "observability-realtime.js")],
      compatibilityDate = "2026-05-08",
      durableObjectNamespaces = [(className = "LogSession", uniqueKey = "docs-log-sessions")],
      durableObjectStorage = (inMemory = void),
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
  ],
);
