# The documentation's Durable Object Facets example (AppRunner), storing its SQLite files in
# /tmp/kiln-app-runner (created by tools/kiln's caller if missing: mkdir -p it first).
#   mkdir -p /tmp/kiln-app-runner && tools/kiln serve samples/app-runner/config.capnp
#   curl http://127.0.0.1:8080/     # "You have made 1 requests." then 2, 3...
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      modules = [(name = "worker.js", esModule = embed "worker.js")],
      compatibilityDate = "2026-05-08",
      durableObjectNamespaces = [(className = "AppRunner", uniqueKey = "app-runner", enableSql = true)],
      durableObjectStorage = (localDisk = "storage"),
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
    (name = "storage", disk = (path = "/tmp/kiln-app-runner", writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8080", http = (), service = "main")],
);
