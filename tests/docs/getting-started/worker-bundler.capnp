# Docs: Dynamic Workers > Getting started > "Using TypeScript and npm dependencies" (docs lines
# 422-517). PENDING: the example imports the npm package @cloudflare/worker-bundler, which bundles
# TypeScript and fetches hono from npm at run time; kiln has no npm bundling (and no module of
# that name), so the worker fails to start.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "worker-bundler-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "BUNDLER", service = "worker-bundler")],
    )),
    (name = "worker-bundler", worker = (
      modules = [(name = "worker-bundler.js", esModule = embed "worker-bundler.js")],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
  ],
);
