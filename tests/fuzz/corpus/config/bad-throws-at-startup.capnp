using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "explodes", worker = (
      modules = [(name = "w.js", esModule = "throw new TypeError('cannot start: missing thing');")],
      compatibilityDate = "2024-01-01",
    )),
  ],
);
