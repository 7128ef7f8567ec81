using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "errors", worker = (
      modules = [
        (name = "error-crossing-test.js", esModule = embed "error-crossing-test.js"),
        (name = "assert.js", esModule = embed "assert.js"),
      ],
      compatibilityDate = "2024-09-01",
      bindings = [(name = "THROWER", service = (name = "thrower", entrypoint = "Thrower"))],
    )),
    (name = "thrower", worker = (
      modules = [(name = "error-crossing-helper.js", esModule = embed "error-crossing-helper.js")],
      compatibilityDate = "2024-09-01",
    )),
  ],
);
