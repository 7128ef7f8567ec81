using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "runtime", worker = (
      modules = [
        (name = "runtime-test.js", esModule = embed "runtime-test.js"),
        (name = "assert.js", esModule = embed "assert.js"),
      ],
      compatibilityDate = "2024-09-01",
    )),
  ],
);
