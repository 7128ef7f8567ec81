# Docs: Dynamic Workers > "Getting started" and "API reference" (docs lines 65-817). Each example
# worker is its own service, as the docs deploy it (compatibility_date 2026-05-08, a
# worker_loaders binding named LOADER); the tester calls them through service bindings and also
# loads hostile children of its own in the same patterns (ctx.exports props, tails, null
# globalOutbound). Python and @cloudflare/worker-bundler examples: python.capnp, worker-bundler.capnp.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "getting-started-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "RUN", service = "run-dynamic-worker"),
        (name = "REUSE", service = "reuse-get"),
        (name = "STORAGE", service = (name = "code-storage", entrypoint = "CodeStorage")),
        (name = "GLOBAL_OUTBOUND", service = "global-outbound-greeter"),
        (name = "ENV_GREETER", service = "env-greeter"),
        (name = "LOG_TAILER", service = "log-tailer"),
        (name = "LOG_ENDPOINT", service = (name = "log-endpoint", entrypoint = "Received")),
        # For the hostile children; a low CPU limit keeps the looping ones short.
        (name = "LOADER", workerLoader = (cpuMs = 300)),
      ],
    )),
    # "Run a Dynamic Worker".
    (name = "run-dynamic-worker", worker = (
      modules = [(name = "run-dynamic-worker.js", esModule = embed "run-dynamic-worker.js")],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
    # "Reusing a Dynamic Worker across requests", with MY_CODE_STORAGE a stand-in service
    # (code-storage.js: an entrypoint whose get(key) returns the stored code).
    (name = "reuse-get", worker = (
      modules = [(name = "reuse-get.js", esModule = embed "reuse-get.js")],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "LOADER", workerLoader = ()),
        (name = "MY_CODE_STORAGE", service = (name = "code-storage", entrypoint = "CodeStorage")),
      ],
    )),
    (name = "code-storage", worker = (
      modules = [(name = "code-storage.js", esModule = embed "code-storage.js")],
      compatibilityDate = "2026-05-08",
    )),
    # API reference, WorkerCode.globalOutbound and WorkerCode.env examples.
    (name = "global-outbound-greeter", worker = (
      modules = [(name = "global-outbound-greeter.js", esModule = embed "global-outbound-greeter.js")],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
    (name = "env-greeter", worker = (
      modules = [(name = "env-greeter.js", esModule = embed "env-greeter.js")],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
    # API reference, WorkerCode.tails example. Its LogTailer fetch()es
    # https://example.com/submit-logs/alice: the stand-in log-endpoint takes that instead of the
    # Internet (and so does the child, which inherits this globalOutbound).
    (name = "log-tailer", worker = (
      modules = [(name = "log-tailer.js", esModule = embed "log-tailer.js")],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ())],
      globalOutbound = (name = "log-endpoint"),
    )),
    (name = "log-endpoint", worker = (
      modules = [(name = "log-endpoint.js", esModule = embed "log-endpoint.js")],
      compatibilityDate = "2026-05-08",
    )),
  ],
);
