# Docs: Dynamic Workers > Durable Object Facets (docs lines 1902-2355). The docs' example worker
# (app-runner.js, verbatim) plus a tester that checks what the section says: the counter app's
# responses, and the ctx.facets reference (abort, delete, id, isolated storage), with hostile
# facets (loops, throws, hangs, reaches for the network or the supervisor's data).
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "facets-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-08",
      durableObjectNamespaces = [
        (className = "ReferenceSupervisor", uniqueKey = "docs-facets-reference", enableSql = true),
      ],
      durableObjectStorage = (inMemory = void),
      bindings = [
        (name = "APP", service = "app-runner"),
        (name = "SUPERVISOR", durableObjectNamespace = "ReferenceSupervisor"),
        (name = "LOADER", workerLoader = ()),
      ],
    )),
    # The docs' wrangler config: compatibility_date 2026-05-08, AppRunner a new_sqlite_classes
    # Durable Object, a worker_loaders binding named LOADER.
    (name = "app-runner", worker = (
      modules = [(name = "app-runner.js", esModule = embed "app-runner.js")],
      compatibilityDate = "2026-05-08",
      durableObjectNamespaces = [
        (className = "AppRunner", uniqueKey = "docs-facets-app-runner", enableSql = true),
      ],
      durableObjectStorage = (inMemory = void),
      bindings = [(name = "LOADER", workerLoader = ())],
    )),
  ],
);
