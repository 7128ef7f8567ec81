# Docs: Dynamic Workers > Bindings (docs lines 1543-1902) and Egress control (lines 2828-3044).
# Each example is its own service (its JS verbatim, in the smallest harness where it is a
# fragment); bindings-tester.js calls them and checks what the docs say, then attacks them as a
# hostile Dynamic Worker would (reading props through stubs, other tenants' data, the network by
# any route: fetch to loopback, connect(), WebSocket, redirects).
#
# Stand-ins for what the docs take from Cloudflare or leave to the reader:
# - "chat": the chat service behind the docs' postToChat() (chat-service.js).
# - "kv": a KV namespace (kiln has none yet, issue 18): an entrypoint with KV's get/put/list
#   (kv.js), bound as MY_KV.
# - "upstream": the internet, the egress loaders' (and the tester's) globalOutbound (upstream.js).
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "bindings-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
        (name = "egress-child.js", esModule = embed "egress-child.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "LOADER", workerLoader = ()),
        (name = "CHAT_ROOM_APP", service = "chat-room"),
        (name = "STEPS_APP", service = "steps"),
        (name = "STORAGE_APP", service = "storage"),
        (name = "BLOCKED_APP", service = "egress-blocked"),
        (name = "GATEWAY_APP", service = "egress-gateway"),
        (name = "CREDENTIALS_APP", service = "egress-credentials"),
        (name = "CHAT", service = (name = "chat", entrypoint = "ChatService")),
        (name = "KV", service = (name = "kv", entrypoint = "KvNamespace")),
        (name = "UPSTREAM", service = "upstream"),
        # The examples' classes with props, as a loader would hand them to a hostile child.
        (name = "HOSTILE_CHAT_ROOM", service = (name = "chat-room", entrypoint = "ChatRoom",
          props = (json = "{\"apiKey\": \"mallory-key\", \"roomName\": \"#mallory\", \"botName\": \"Mallory\"}"))),
        (name = "HOSTILE_STORAGE", service = (name = "storage", entrypoint = "MyStorage",
          props = (json = "{\"prefix\": \"customer-mallory\"}"))),
        (name = "HOSTILE_GATEWAY", service = (name = "egress-credentials", entrypoint = "HttpGateway",
          props = (json = "{\"tenantId\": \"mallory\"}"))),
      ],
      globalOutbound = "upstream",
    )),
    (name = "chat-room", worker = (
      modules = [
        (name = "chat-room.js", esModule = embed "chat-room.js"),
        (name = "docs-fixes.js", esModule = embed "docs-fixes.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "LOADER", workerLoader = ()),
        (name = "CHAT", service = (name = "chat", entrypoint = "ChatService")),
        (name = "CHAT_API_KEY", text = "robo-api-key"),
      ],
      globalOutbound = "upstream",
    )),
    (name = "steps", worker = (
      modules = [(name = "steps.js", esModule = embed "steps.js")],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "LOADER", workerLoader = ()),
        (name = "CHAT", service = (name = "chat", entrypoint = "ChatService")),
        (name = "ALICE_KEY", text = "alice-key"),
        (name = "BOB_KEY", text = "bob-key"),
      ],
      globalOutbound = "upstream",
    )),
    (name = "storage", worker = (
      modules = [(name = "storage.js", esModule = embed "storage.js")],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "LOADER", workerLoader = ()),
        (name = "MY_KV", service = (name = "kv", entrypoint = "KvNamespace")),
      ],
      globalOutbound = "upstream",
    )),
    (name = "egress-blocked", worker = (
      modules = [
        (name = "egress-blocked.js", esModule = embed "egress-blocked.js"),
        (name = "egress-child.js", esModule = embed "egress-child.js"),
        (name = "docs-fixes.js", esModule = embed "docs-fixes.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ())],
      globalOutbound = "upstream",
    )),
    (name = "egress-gateway", worker = (
      modules = [
        (name = "egress-gateway-main.js", esModule = embed "egress-gateway-main.js"),
        (name = "egress-gateway.js", esModule = embed "egress-gateway.js"),
        (name = "egress-child.js", esModule = embed "egress-child.js"),
        (name = "docs-fixes.js", esModule = embed "docs-fixes.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ())],
      globalOutbound = "upstream",
    )),
    (name = "egress-credentials", worker = (
      modules = [
        (name = "egress-credentials-main.js", esModule = embed "egress-credentials-main.js"),
        (name = "egress-credentials.js", esModule = embed "egress-credentials.js"),
        (name = "docs-fixes.js", esModule = embed "docs-fixes.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "LOADER", workerLoader = ()),
        (name = "API_TOKEN", text = "s3cr3t-token"),
      ],
      globalOutbound = "upstream",
    )),
    (name = "chat", worker = (
      modules = [(name = "chat-service.js", esModule = embed "chat-service.js")],
      compatibilityDate = "2026-05-08",
    )),
    (name = "kv", worker = (
      modules = [(name = "kv.js", esModule = embed "kv.js")],
      compatibilityDate = "2026-05-08",
    )),
    (name = "upstream", worker = (
      modules = [(name = "upstream.js", esModule = embed "upstream.js")],
      compatibilityDate = "2026-05-08",
    )),
  ],
);
