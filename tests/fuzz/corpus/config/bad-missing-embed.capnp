using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "a", worker = (
      modules = [(name = "w.js", esModule = embed "does-not-exist.js")],
      compatibilityDate = "2024-01-01",
    )),
  ],
);
