# deleteAll() under a compatibility date that makes it delete the alarm too.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "wiped", worker = (
      modules = [
        (name = "main.js", esModule = embed "delete-all-test.js"),
        (name = "assert.js", esModule = embed "../api/assert.js"),
      ],
      compatibilityDate = "2026-03-01",
      durableObjectNamespaces = [(className = "Wiped", uniqueKey = "wiped-key", enableSql = true)],
      durableObjectStorage = (inMemory = void),
      bindings = [(name = "WIPED", durableObjectNamespace = "Wiped")],
    )),
  ],
);
