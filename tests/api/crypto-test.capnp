using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "crypto", worker = (
      modules = [
        (name = "crypto-test.js", esModule = embed "crypto-test.js"),
        (name = "assert.js", esModule = embed "assert.js"),
      ],
      compatibilityDate = "2024-09-01",
    )),
  ],
);
