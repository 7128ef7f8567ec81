using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "a", worker = (
      modules = [(name = "w.js", esModule = "export default {}"), (name = "w.js", text = "x")],
      compatibilityDate = "2024-01-01",
      bindings = [(name = "B", text = "1"), (name = "B", text = "2")],
    )),
  ],
  sockets = [
    (name = "s", address = "127.0.0.1:0", http = (), service = "a"),
    (name = "s", address = "127.0.0.1:0", http = (), service = "a"),
  ],
);
