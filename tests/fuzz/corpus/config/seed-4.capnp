# JS RPC properties: getters, methods as values, hidden own fields, pipelined property chains,
# on a WorkerEntrypoint, RpcTargets and a Durable Object (properties-backend.js).
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "properties", worker = (
      modules = [
        (name = "main.js", esModule = embed "properties-test.js"),
        (name = "assert.js", esModule = embed "../api/assert.js"),
      ],
      compatibilityDate = "2024-09-01",
      bindings = [
        (name = "PROPS", service = (name = "backend", entrypoint = "Props")),
        (name = "STORE", durableObjectNamespace = (className = "Store", serviceName = "backend")),
      ],
    )),
    (name = "backend", worker = (
      modules = [(name = "backend.js", esModule = embed "properties-backend.js")],
      compatibilityDate = "2024-09-01",
      durableObjectNamespaces = [(className = "Store", uniqueKey = "store-key-for-tests")],
      durableObjectStorage = (inMemory = void),
    )),
  ],
);
