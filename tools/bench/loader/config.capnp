# The Worker Loader benchmark's parent (see tools/bench/loader-bench.sh).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "bench", worker = (
      modules = [(name = "bench.js", esModule = embed "bench.js")],
      compatibilityDate = "2024-09-01",
      bindings = [
        (name = "LOADER", workerLoader = (maxWarmWorkers = 100000, warmMemoryMb = 16384)),
        (name = "HELLO", service = "hello"),
      ],
    )),
    # The same hello-world code as a configured worker, for /bound.
    (name = "hello", worker = (
      modules = [(name = "hello.js", esModule = "export default { fetch() { return new Response('hello'); } };")],
      compatibilityDate = "2024-09-01",
    )),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "bench")],
);
