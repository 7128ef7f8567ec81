# blockConcurrencyWhile()'s 30 s limit (as on Workers): takes about 31 s, run with --timeout=60.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "block", worker = (
      modules = [
        (name = "main.js", esModule = embed "block-timeout-test.js"),
        (name = "assert.js", esModule = embed "../api/assert.js"),
      ],
      compatibilityDate = "2026-04-01",
      bindings = [(name = "OBJECTS", durableObjectNamespace = "Blocker")],
      durableObjectNamespaces = [(className = "Blocker", uniqueKey = "block-timeout", enableSql = true)],
      durableObjectStorage = (inMemory = void),
    )),
  ],
);
