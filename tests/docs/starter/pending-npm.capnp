# Docs: Dynamic Workers > Examples > Code Mode Example (docs lines 910-1060) and the Playground's
# "Bundling code at runtime" (docs lines 1097-1124). PENDING: they import npm packages
# (@cloudflare/codemode, ai, zod; @cloudflare/worker-bundler, which also fetches hono from the
# registry at run time) and kiln has no npm bundling: today they fail at module resolution.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "pending-npm-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-01",
      bindings = [
        (name = "CODEMODE", service = "codemode"),
        (name = "BUNDLER", service = "playground-bundler"),
      ],
    )),
    (name = "codemode", worker = (
      modules = [(name = "codemode-agent.js", esModule = embed "codemode-agent.js")],
      compatibilityDate = "2026-05-01",
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
    (name = "playground-bundler", worker = (
      modules = [(name = "playground-bundler.js", esModule = embed "playground-bundler.js")],
      compatibilityDate = "2026-05-01",
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
  ],
);
