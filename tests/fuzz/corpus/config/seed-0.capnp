using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "url", worker = (
      modules = [
        (name = "url-test.js", esModule = embed "url-test.js"),
        (name = "assert.js", esModule = embed "assert.js"),
      ],
      compatibilityDate = "2024-09-01",
    )),
  ],
);
