# A capnp socket serving the Calculator entrypoint, for rpc-test.sh.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "calc", worker = (
      modules = [(name = "calc.js", esModule = embed "calc.js")],
      compatibilityDate = "2024-09-01",
    )),
  ],
  sockets = [
    (name = "rpc", address = "127.0.0.1:0", capnp = (),
     service = (name = "calc", entrypoint = "Calculator", props = (json = "{\"scale\": 10}"))),
  ],
);
