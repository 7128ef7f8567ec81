# A dynamic worker whose every fetch() goes through the parent's HttpGateway, which adds a
# credential the child never sees. The upstream is a local worker, so no internet is needed.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "parent", worker = .parentWorker),
    (name = "upstream", worker = .upstreamWorker),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8080", http = (), service = "parent"),
  ],
);

const parentWorker :Workerd.Worker = (
  modules = [
    (name = "parent.js", esModule = embed "parent.js"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "LOADER", workerLoader = ()),
    (name = "UPSTREAM", service = "upstream"),
    # A real deployment would use fromEnvironment = "API_TOKEN" rather than a literal.
    (name = "API_TOKEN", text = "sample-token-not-a-secret"),
  ],
);

const upstreamWorker :Workerd.Worker = (
  modules = [
    (name = "upstream.js", esModule = embed "upstream.js"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    # The API's side of the credential, to check what arrives.
    (name = "API_TOKEN", text = "sample-token-not-a-secret"),
  ],
);
