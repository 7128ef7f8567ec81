// JS RPC as Cap'n Proto: every stub call is a call on a kiln.rpc.JsRpcTarget capability
// (config-schema/rpc.capnp), and the stubs inside its arguments and results travel in the
// message's capability table. Within one event loop the calls are local Cap'n Proto calls; a
// capability served by another process works the same way through the two-party protocol.
#pragma once

#include "config-schema/rpc.capnp.h"
#include "src/api/capability.h"

namespace kiln::api {

rpc::JsRpcTarget::Client toClient(kj::Own<Capability> cap);
// The capability as Cap'n Proto sees it. One that came from another process gives back the
// client it came with, so nothing is wrapped twice.

kj::Promise<kj::Own<Capability>> fromClient(rpc::JsRpcTarget::Client client);
// The reverse: the Capability behind a client served on this thread, or, for one served
// elsewhere, a Capability forwarding calls to it (it has no fetch()).

kj::Promise<CallResult> sendCall(rpc::JsRpcTarget::Client& client, kj::StringPtr method,
                                 SerializedValue args);
// One JS RPC call through the client.

}  // namespace kiln::api
