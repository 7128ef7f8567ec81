# Tail workers: configured tails, tails on dynamic workers, and what each event carries.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "observer", worker = (
      modules = [
        (name = "main.js", esModule = embed "tail-test.js"),
        (name = "assert.js", esModule = embed "../api/assert.js"),
      ],
      compatibilityDate = "2024-09-01",
      bindings = [
        (name = "TRACED", service = "traced"),
        (name = "TRACED_API", service = (name = "traced", entrypoint = "Api")),
        (name = "TAILER", service = (name = "tailer", entrypoint = "Collected")),
        (name = "LOADER", workerLoader = ()),
        (name = "LOG_SESSION", durableObjectNamespace = "LogSession"),
      ],
      durableObjectNamespaces = [(className = "LogSession", uniqueKey = "log-sessions")],
      durableObjectStorage = (inMemory = void),
    )),
    (name = "traced", worker = (
      modules = [(name = "traced.js", esModule = embed "traced.js")],
      compatibilityDate = "2024-09-01",
      tails = ["tailer"],
      streamingTails = [(name = "tailer", entrypoint = "Streamed")],
    )),
    (name = "tailer", worker = (
      modules = [(name = "tailer.js", esModule = embed "tailer.js")],
      compatibilityDate = "2024-09-01",
    )),
  ],
);
