# JS RPC (Workers RPC): WorkerEntrypoint methods with props, stubs handed to dynamic workers as
# custom bindings (the chat-room and per-customer KV examples of the Dynamic Workers docs),
# unforgeable stubs, errors, disposal, RpcTargets, pipelining, callbacks and a config binding.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "rpc", worker = .rpcWorker),
    (name = "rpc-backend", worker = .backendWorker),
    (name = "plain", worker = (
      modules = [(name = "plain-export.js", esModule = embed "plain-export.js")],
      compatibilityDate = "2024-09-01",
    )),
  ],
);

const rpcWorker :Workerd.Worker = (
  modules = [
    (name = "main.js", esModule = embed "rpc-test.js"),
    (name = "assert.js", esModule = embed "../api/assert.js"),
    # Sources of the dynamic workers, imported by main.js as strings.
    (name = "chat-agent.js", text = embed "chat-agent.js"),
    (name = "customer-worker.js", text = embed "customer-worker.js"),
    (name = "peer-worker.js", text = embed "peer-worker.js"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "LOADER", workerLoader = ()),
    # The secret the chat-room agent must never see.
    (name = "CHAT_API_KEY", text = "sk-chat-Q7mZ41xVw9"),
    (name = "PLAIN", service = "plain"),
    (name = "TENANT", service = (
      name = "rpc-backend",
      entrypoint = "Tenant",
      props = (json = "{\"tenant\": \"acme\", \"plan\": \"gold\"}"),
    )),
  ],
);

const backendWorker :Workerd.Worker = (
  modules = [
    (name = "rpc-backend.js", esModule = embed "rpc-backend.js"),
  ],
  compatibilityDate = "2024-09-01",
);
