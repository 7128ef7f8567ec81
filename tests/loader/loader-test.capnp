# Worker Loader (Dynamic Workers): load(), get(), WorkerCode validation, startup failures,
# entrypoints, globalOutbound and env. Sandboxing and limits are in sandbox-test.capnp.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "loader", worker = .loaderWorker),
    (name = "echo", worker = .echoWorker),
  ],
);

const loaderWorker :Workerd.Worker = (
  modules = [
    (name = "main.js", esModule = embed "loader-test.js"),
    (name = "assert.js", esModule = embed "../api/assert.js"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "LOADER", workerLoader = (id = "shared-cache")),
    # Same id as LOADER, so get() on either reaches the same warm workers.
    (name = "LOADER_TWIN", workerLoader = (id = "shared-cache")),
    (name = "PRIVATE_LOADER", workerLoader = ()),
    (name = "ECHO", service = "echo"),
  ],
  # What children inherit when their WorkerCode has no globalOutbound.
  globalOutbound = (name = "echo", entrypoint = "Outbound"),
);

const echoWorker :Workerd.Worker = (
  modules = [
    (name = "echo.js", esModule = embed "echo.js"),
  ],
  compatibilityDate = "2024-09-01",
);
