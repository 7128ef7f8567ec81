# The smallest useful kiln config: one worker answering HTTP on 127.0.0.1:8080.
#   bazel run //:kiln -- serve $PWD/samples/hello/config.capnp
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "hello", worker = .helloWorker),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8080", http = (), service = "hello"),
  ],
);

const helloWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
  ],
  compatibilityDate = "2024-09-01",
);
