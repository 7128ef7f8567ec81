# get(id, callback): the same code, identified by a hash, stays warm across requests.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "warm", worker = .warmWorker),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8080", http = (), service = "warm"),
  ],
);

const warmWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "LOADER", workerLoader = ()),
  ],
);
