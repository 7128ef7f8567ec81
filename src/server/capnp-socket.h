// `capnp` sockets: Cap'n Proto two-party RPC serving one worker entrypoint as a
// kiln.rpc.Entrypoint (config-schema/rpc.capnp) to services in any language.
#pragma once

#include "src/api/capability.h"

#include <capnp/capability.h>
#include <kj/compat/http.h>

namespace kiln::server {

capnp::Capability::Client newEntrypointServer(kj::Own<api::Capability> target,
                                              kj::HttpHeaderTable& headerTable);

}  // namespace kiln::server
