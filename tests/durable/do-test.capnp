# Durable Objects: ids, one instance per id, fetch and RPC to objects, SQL and KV storage.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "objects", worker = (
      modules = [
        (name = "main.js", esModule = embed "do-test.js"),
        (name = "assert.js", esModule = embed "../api/assert.js"),
      ],
      compatibilityDate = "2024-09-01",
      durableObjectNamespaces = [
        (className = "Counter", uniqueKey = "counter-key-for-tests", enableSql = true),
        (className = "Notes", uniqueKey = "notes-key-for-tests", enableSql = true),
        (className = "Alarmed", uniqueKey = "alarm-key-for-tests", enableSql = true),
        (className = "Racer", uniqueKey = "racer-key-for-tests", enableSql = true),
        (className = "SlowStart", uniqueKey = "slow-key-for-tests", enableSql = true),
      ],
      durableObjectStorage = (inMemory = void),
      bindings = [
        (name = "COUNTER", durableObjectNamespace = "Counter"),
        (name = "NOTES", durableObjectNamespace = "Notes"),
        (name = "ALARMED", durableObjectNamespace = "Alarmed"),
        (name = "RACER", durableObjectNamespace = "Racer"),
        (name = "SLOW", durableObjectNamespace = "SlowStart"),
      ],
    )),
  ],
);
