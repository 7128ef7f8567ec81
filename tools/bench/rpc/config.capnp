# JS RPC benchmark (see tools/bench/rpc-bench.sh): parent -> dynamic child round trips.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "bench", worker = (
      modules = [(name = "bench.js", esModule = embed "bench.js")],
      compatibilityDate = "2024-09-01",
      bindings = [(name = "LOADER", workerLoader = (subRequests = 100000))],
    )),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "bench")],
);
