# Docs: Dynamic Workers > Getting started > "Python Workers" (docs lines 351-420). PENDING: kiln
# does not run Python Workers yet; load() of a .py module throws a TypeError saying so.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "python-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "PYTHON", service = "python-worker")],
    )),
    (name = "python-worker", worker = (
      modules = [(name = "python-worker.js", esModule = embed "python-worker.js")],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
  ],
);
