# Docs: Dynamic Workers > Examples > Dynamic Workers Starter (docs lines 1322-1450) and Dynamic
# Workers Playground (docs lines 1073-1310): the examples kiln can run. The Starter's host Worker
# (starter.js, verbatim; starter-intended.js, the same with its body read from a clone), and the
# Playground's get() fragments in small harnesses (playground-cache.js, playground-tails.js).
# Stand-ins: createWorker() of @cloudflare/worker-bundler (npm, not bundled by kiln), the
# DynamicWorkerTail Tail Worker and the LogSession Durable Object: see playground-support.js.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "starter-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-01",
      bindings = [
        (name = "STARTER", service = "starter"),
        (name = "STARTER_INTENDED", service = "starter-intended"),
        (name = "PLAYGROUND_CACHE", service = "playground-cache"),
        (name = "PLAYGROUND_TAILS", service = "playground-tails"),
      ],
    )),
    # The docs' wrangler config: a worker_loaders binding named LOADER.
    (name = "starter", worker = (
      modules = [(name = "starter.js", esModule = embed "starter.js")],
      compatibilityDate = "2026-05-01",
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
    (name = "starter-intended", worker = (
      modules = [(name = "starter-intended.js", esModule = embed "starter-intended.js")],
      compatibilityDate = "2026-05-01",
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
    (name = "playground-cache", worker = .playgroundCache),
    (name = "playground-tails", worker = .playgroundTails),
  ],
);

# The Playground: a LOADER, and the LogSession Durable Object its DynamicWorkerTail writes to.
const playgroundCache :Workerd.Worker = (
  modules = [
    (name = "playground-cache.js", esModule = embed "playground-cache.js"),
    (name = "playground-support.js", esModule = embed "playground-support.js"),
  ],
  compatibilityDate = "2026-05-01",
  bindings = [
    (name = "LOADER", workerLoader = ()),
    (name = "LOG_SESSION", durableObjectNamespace = "LogSession"),
  ],
  durableObjectNamespaces = [(className = "LogSession", uniqueKey = "docs-playground-cache-logs")],
  durableObjectStorage = (inMemory = void),
);

const playgroundTails :Workerd.Worker = (
  modules = [
    (name = "playground-tails.js", esModule = embed "playground-tails.js"),
    (name = "playground-support.js", esModule = embed "playground-support.js"),
  ],
  compatibilityDate = "2026-05-01",
  bindings = [
    (name = "LOADER", workerLoader = ()),
    (name = "LOG_SESSION", durableObjectNamespace = "LogSession"),
  ],
  durableObjectNamespaces = [(className = "LogSession", uniqueKey = "docs-playground-tails-logs")],
  durableObjectStorage = (inMemory = void),
);
