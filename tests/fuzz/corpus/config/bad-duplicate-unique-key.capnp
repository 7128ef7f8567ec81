using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "a", worker = (
      modules = [(name = "w.js", esModule = "export class A {} export class B {}")],
      compatibilityDate = "2024-01-01",
      durableObjectNamespaces = [
        (className = "A", uniqueKey = "same-key"),
        (className = "B", uniqueKey = "same-key"),
      ],
    )),
  ],
);
