using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "streams", worker = (
      modules = [
        (name = "streams-test.js", esModule = embed "streams-test.js"),
        (name = "assert.js", esModule = embed "assert.js"),
      ],
      compatibilityDate = "2024-09-01",
    )),
  ],
);
