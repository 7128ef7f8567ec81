# Named-worker eviction: a loader that keeps at most two warm workers.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "eviction", worker = (
      modules = [
        (name = "main.js", esModule = embed "eviction-test.js"),
        (name = "assert.js", esModule = embed "../api/assert.js"),
      ],
      compatibilityDate = "2024-09-01",
      bindings = [(name = "LOADER", workerLoader = (maxWarmWorkers = 2))],
    )),
  ],
);
