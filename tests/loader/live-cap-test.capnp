# The process-wide cap on live dynamic workers: run with --max-dynamic-workers=4 (BUILD.bazel).
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "live-cap", worker = (
      modules = [
        (name = "main.js", esModule = embed "live-cap-test.js"),
        (name = "assert.js", esModule = embed "../api/assert.js"),
      ],
      compatibilityDate = "2024-09-01",
      bindings = [
        (name = "LOADER", workerLoader = ()),
        (name = "OTHER_LOADER", workerLoader = (id = "other")),
      ],
    )),
  ],
);
