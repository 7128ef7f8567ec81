# The Dynamic Workers starter: POST an ES module to /api/run and get back what it answers.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "starter", worker = .starterWorker),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8080", http = (), service = "starter"),
  ],
);

const starterWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "LOADER", workerLoader = ()),
  ],
);
