# Hostile-code suite (hostile-test.sh, fairness.sh): an attacker worker that runs untrusted code
# through a Worker Loader, and a bystander on its own socket whose latency shows whether the
# attacks leak out of their isolate. Both sockets take ephemeral loopback ports.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "attacker", worker = (
      modules = [(name = "parent.js", esModule = embed "parent.js")],
      compatibilityDate = "2024-09-01",
      bindings = [
        # Tight limits so that a runaway child is stopped in well under a second.
        (name = "LOADER", workerLoader = (cpuMs = 200, heapMb = 64)),
        # Default limits (cpuMs 30000): fairness.sh's long-running children.
        (name = "DEFAULT_LOADER", workerLoader = ()),
        # Heap bombs: CPU to spare, so that the memory limit is what stops them.
        (name = "HEAP_LOADER", workerLoader = (cpuMs = 10000, heapMb = 64)),
        (name = "SQL", durableObjectNamespace = "SqlBox"),
      ],
      durableObjectNamespaces = [(className = "SqlBox", uniqueKey = "hostile-sql-v1", enableSql = true)],
      # In memory: nothing of a hostile query is left on disk between runs.
      durableObjectStorage = (inMemory = void),
    )),
    (name = "bystander", worker = (
      modules = [(name = "bystander.js", esModule = embed "bystander.js")],
      compatibilityDate = "2024-09-01",
    )),
  ],
  sockets = [
    (name = "attacker", address = "127.0.0.1:0", http = (), service = "attacker"),
    (name = "bystander", address = "127.0.0.1:0", http = (), service = "bystander"),
  ],
);
