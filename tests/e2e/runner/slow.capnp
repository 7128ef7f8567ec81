using Workerd = import "/workerd/workerd.capnp";
const tests :Workerd.Config = (
  services = [
    (name = "slow", worker = (modules = [(name = "slow.js", esModule = embed "slow-tests.js")],
                              compatibilityDate = "2024-09-01")),
    (name = "spin", worker = (modules = [(name = "spin.js", esModule = embed "spin-tests.js")],
                              compatibilityDate = "2024-09-01")),
    (name = "child", worker = (
      modules = [(name = "child.js", esModule = embed "child-spin-tests.js")],
      compatibilityDate = "2024-09-01",
      bindings = [(name = "LOADER", workerLoader = ())])),
    (name = "quick", worker = (modules = [(name = "quick.js", esModule = embed "quick-tests.js")],
                               compatibilityDate = "2024-09-01")),
  ],
);
