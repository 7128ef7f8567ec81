using Workerd = import "/workerd/workerd.capnp";

# formdata-test.js runs twice: before and after the compatibility date (2026-01-13) from which a
# leading BOM in a urlencoded body is dropped. It also passes on workerd.
const tests :Workerd.Config = (
  services = [
    (name = "formdata", worker = (
      modules = [
        (name = "formdata-test.js", esModule = embed "formdata-test.js"),
        (name = "assert.js", esModule = embed "assert.js"),
      ],
      compatibilityDate = "2024-09-01",
      bindings = [(name = "DATE", text = "2024-09-01"), (name = "ECHO", service = "echo")],
    )),
    (name = "formdata-2026", worker = (
      modules = [
        (name = "formdata-test.js", esModule = embed "formdata-test.js"),
        (name = "assert.js", esModule = embed "assert.js"),
      ],
      compatibilityDate = "2026-04-01",
      bindings = [(name = "DATE", text = "2026-04-01"), (name = "ECHO", service = "echo")],
    )),
    (name = "echo", worker = (
      modules = [(name = "formdata-helper.js", esModule = embed "formdata-helper.js")],
      compatibilityDate = "2024-09-01",
    )),
  ],
);
