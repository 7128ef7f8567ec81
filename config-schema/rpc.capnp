# kiln's Cap'n Proto RPC interface: what a `capnp` socket serves, so that services in any
# language with Cap'n Proto can call a worker. The socket's bootstrap capability is an
# `Entrypoint` for the service (and entrypoint, and props) the socket designates: holding the
# connection is the grant, and nothing else in the daemon is reachable through it.

@0xd1c2b3a4958677f1;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("kiln::rpc");

interface Entrypoint {
  call @0 (method :Text, paramsJson :Text) -> (resultJson :Text);
  # Calls `method` on the entrypoint's WorkerEntrypoint class, as JS RPC does, with the JSON
  # array `paramsJson` as arguments. The result comes back as JSON (`null` for undefined). If
  # the method throws, the call fails with a Cap'n Proto exception whose description is
  # "<ErrorName>: <message>".

  fetch @1 (request :HttpRequest) -> (response :HttpResponse);
  # The entrypoint's fetch() handler, with bodies buffered.

  getLoader @2 () -> (loader :Loader);
  # The Worker Loader the socket's config grants (`capnp = (workerLoader = "BINDING")`). Fails
  # with "Error: ..." on a socket that grants none, and on entrypoints of dynamic workers.
}

interface Loader {
  # Dynamic Workers for callers outside the daemon: the same loader (cache and limits) as the
  # granting worker's binding. Calls can be pipelined: load(code).worker.getEntrypoint(...)
  # .entrypoint.call(...) is one round trip.

  load @0 (code :WorkerCode) -> (worker :DynamicWorker);
  # A fresh worker, as env.LOADER.load(code). It starts in the background: a bad WorkerCode
  # shows up as "Error: Failed to start Worker: ..." on the first call to one of its
  # entrypoints, a malformed one as "TypeError: ..." right away.

  get @1 (id :Text, code :WorkerCode) -> (worker :DynamicWorker);
  # The named worker `id`, as env.LOADER.get(id, cb): the warm one if the loader's cache has
  # it (then `code` is ignored), else started from `code`.
}

interface DynamicWorker {
  getEntrypoint @0 (name :Text, propsJson :Text) -> (entrypoint :Entrypoint);
  # An entrypoint of the worker: its default export if `name` is empty, with `propsJson` (a JSON
  # object, or empty for none) as ctx.props.
}

struct WorkerCode {
  compatibilityDate @0 :Text;
  compatibilityFlags @1 :List(Text);
  mainModule @2 :Text;
  modules @3 :List(Module);

  envJson @4 :Text;
  # A JSON object: the worker's env. Peers outside the daemon hold no stubs to pass in.

  allowOutbound @5 :Bool = false;
  # True: fetch() goes through the granting worker's globalOutbound. False: no network at all.

  limits @6 :Limits;
}

struct Module {
  name @0 :Text;
  union {
    esModule @1 :Text;
    commonJsModule @2 :Text;
    text @3 :Text;
    data @4 :Data;
    json @5 :Text;
  }
}

struct Limits {
  # Only lower the loader's own limits; 0 leaves a limit as it is.
  cpuMs @0 :UInt32;
  subRequests @1 :UInt32;
}

interface JsRpcTarget {
  # What every JS RPC stub inside the daemon refers to: a WorkerEntrypoint (props bound on this,
  # the serving side), a Durable Object, an RpcTarget or a function passed by reference. A stub
  # call is a call on this interface, so stubs and the values they carry are Cap'n Proto
  # capabilities and messages between any two workers.

  call @0 (method :Text, args :JsValue) -> (result :JsValue, threw :Bool);
  # `args` is the array of arguments; `result` is what the method returned or, with `threw`,
  # what it threw. An empty `method` calls a function passed by reference.
}

struct JsValue {
  # A JavaScript value as V8's structured clone writes it. Stubs inside it are host objects
  # whose ids index `caps`: they travel as capabilities, never as data.
  v8Serialized @0 :Data;
  caps @1 :List(JsRpcTarget);
  depth @2 :UInt32;
  # For call arguments: the call-chain depth of the caller's event.
}

struct Header {
  name @0 :Text;
  value @1 :Text;
}

struct HttpRequest {
  method @0 :Text = "GET";
  url @1 :Text;
  headers @2 :List(Header);
  body @3 :Data;
}

struct HttpResponse {
  status @0 :UInt16;
  statusText @1 :Text;
  headers @2 :List(Header);
  body @3 :Data;
}
