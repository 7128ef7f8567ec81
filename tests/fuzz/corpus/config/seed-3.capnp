# Lifetimes of stubs (Workers RPC "Lifecycle"): what a stateless worker receives during an event
# is revoked when the event ends; a Durable Object keeps what it is handed; dup() and dispose.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "lifetime", worker = (
      modules = [
        (name = "main.js", esModule = embed "lifetime-test.js"),
        (name = "assert.js", esModule = embed "../api/assert.js"),
      ],
      compatibilityDate = "2024-09-01",
      durableObjectNamespaces = [
        (className = "Holder", uniqueKey = "holder-key-for-tests", enableSql = true),
        (className = "Supervisor", uniqueKey = "supervisor-key-for-tests", enableSql = true),
      ],
      durableObjectStorage = (inMemory = void),
      bindings = [
        (name = "HOLDER", durableObjectNamespace = "Holder"),
        (name = "SUPERVISOR", durableObjectNamespace = "Supervisor"),
      ],
    )),
  ],
);
