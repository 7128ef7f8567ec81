using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "a", worker = (
      modules = [(name = "w.js", esModule = "export default { fetch() { return new Response('') } }")],
      compatibilityDate = "2024-01-01",
      bindings = [(name = "KEY", text = "not a loader")],
    )),
  ],
  sockets = [(name = "rpc", address = "127.0.0.1:0", capnp = (workerLoader = "KEY"),
              service = (name = "a"))],
);
