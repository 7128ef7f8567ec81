# Durable Object facets: dynamic classes run as children of a supervisor, each with its own
# database; abort, delete, failures.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "facets", worker = (
      modules = [
        (name = "main.js", esModule = embed "facets-test.js"),
        (name = "assert.js", esModule = embed "../api/assert.js"),
      ],
      compatibilityDate = "2024-09-01",
      durableObjectNamespaces = [(className = "Supervisor", uniqueKey = "facet-tests", enableSql = true)],
      durableObjectStorage = (inMemory = void),
      bindings = [(name = "LOADER", workerLoader = (cpuMs = 200))],
    )),
  ],
);
