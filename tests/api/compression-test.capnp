using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "compression", worker = (
      modules = [
        (name = "compression-test.js", esModule = embed "compression-test.js"),
        (name = "assert.js", esModule = embed "assert.js"),
      ],
      compatibilityDate = "2024-09-01",
    )),
  ],
);
