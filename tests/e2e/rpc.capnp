# Cap'n Proto sockets for rpc-test.sh: one serving the Calculator entrypoint, one that also
# grants its peers the worker's Worker Loader.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "calc", worker = (
      modules = [(name = "calc.js", esModule = embed "calc.js")],
      compatibilityDate = "2024-09-01",
      bindings = [(name = "LOADER", workerLoader = (id = "e2e-shared", cpuMs = 200))],
    )),
  ],
  sockets = [
    (name = "rpc", address = "127.0.0.1:0", capnp = (),
     service = (name = "calc", entrypoint = "Calculator", props = (json = "{\"scale\": 10}"))),
    (name = "loader", address = "127.0.0.1:0", capnp = (workerLoader = "LOADER"),
     service = (name = "calc", entrypoint = "Calculator", props = (json = "{\"scale\": 1}"))),
    # rpc-test.sh moves this one to a unix socket with --socket-addr.
    (name = "local", address = "127.0.0.1:0", capnp = (),
     service = (name = "calc", entrypoint = "Calculator", props = (json = "{\"scale\": 100}"))),
  ],
);
