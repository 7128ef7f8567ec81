# Core runtime behaviour: modules, bindings, globals, handlers and service bindings.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "modules", worker = .modulesWorker),
    (name = "globals", worker = .globalsWorker),
    (name = "handlers", worker = .handlersWorker),
    (name = "backend", worker = .backendWorker),
    (name = "class-backend", worker = .classBackendWorker),
  ],
);

const modulesWorker :Workerd.Worker = (
  modules = [
    (name = "main.js", esModule = embed "modules-test.js"),
    (name = "lib/math.js", esModule = embed "lib/math.js"),
    (name = "lib/greeting.txt", text = "hello, modules"),
    (name = "lib/bytes.bin", data = 0x"010203ff"),
    (name = "lib/config.json", json = "{\"answer\": 42, \"list\": [1, 2]}"),
    (name = "lib/legacy.cjs", commonJsModule = embed "lib/legacy.cjs"),
    (name = "assert.js", esModule = embed "../api/assert.js"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "GREETING", text = "hi"),
    (name = "BLOB", data = 0x"0a0b"),
    (name = "SETTINGS", json = "{\"mode\": \"test\", \"n\": 3}"),
    (name = "PATH_VAR", fromEnvironment = "PATH"),
    (name = "UNSET_VAR", fromEnvironment = "KILN_SURELY_UNSET_VARIABLE"),
  ],
);

const globalsWorker :Workerd.Worker = (
  modules = [
    (name = "main.js", esModule = embed "globals-test.js"),
    (name = "assert.js", esModule = embed "../api/assert.js"),
  ],
  compatibilityDate = "2024-09-01",
);

const handlersWorker :Workerd.Worker = (
  modules = [
    (name = "main.js", esModule = embed "handlers-test.js"),
    (name = "assert.js", esModule = embed "../api/assert.js"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "BACKEND", service = "backend"),
    (name = "ADMIN", service = (name = "backend", entrypoint = "admin")),
    (name = "CLASSY", service = (name = "class-backend", props = (json = "{\"tenant\": \"t1\"}"))),
  ],
  globalOutbound = "backend",
);

const backendWorker :Workerd.Worker = (
  modules = [
    (name = "backend.js", esModule = embed "backend.js"),
  ],
  compatibilityDate = "2024-09-01",
);

const classBackendWorker :Workerd.Worker = (
  modules = [
    (name = "class-backend.js", esModule = embed "class-backend.js"),
  ],
  compatibilityDate = "2024-09-01",
);
