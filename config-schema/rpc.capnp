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
