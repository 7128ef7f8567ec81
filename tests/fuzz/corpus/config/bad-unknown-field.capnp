using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "a", worker = (
      modules = [(name = "w.js", esModule = "export default {}")],
      compatibilityDate = "2024-01-01",
      wasmModules = [],
    )),
  ],
);
