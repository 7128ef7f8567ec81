# Worker Loader sandboxing: isolation between dynamic workers and their parent, CPU and
# subrequest limits, and children that loop, hoard memory, recurse or flood the log.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "sandbox", worker = .sandboxWorker),
    (name = "echo", worker = .echoWorker),
  ],
);

const sandboxWorker :Workerd.Worker = (
  modules = [
    (name = "main.js", esModule = embed "sandbox-test.js"),
    (name = "assert.js", esModule = embed "../api/assert.js"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "LOADER", workerLoader = ()),
    (name = "ECHO", service = "echo"),
  ],
  # Children inherit it: their subrequests stay on this machine.
  globalOutbound = (name = "echo", entrypoint = "Outbound"),
);

const echoWorker :Workerd.Worker = (
  modules = [
    (name = "echo.js", esModule = embed "echo.js"),
  ],
  compatibilityDate = "2024-09-01",
);
