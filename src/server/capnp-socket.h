// `capnp` sockets: Cap'n Proto two-party RPC serving one worker entrypoint as a
// kiln.rpc.Entrypoint (config-schema/rpc.capnp) to services in any language, and, where the
// config grants it, a Worker Loader (kiln.rpc.Loader).
#pragma once

#include "src/api/capability.h"
#include "src/loader/loader.h"

#include <capnp/capability.h>
#include <kj/compat/http.h>

namespace kiln::server {

capnp::Capability::Client newEntrypointServer(kj::Own<api::Capability> target,
                                              kj::HttpHeaderTable& headerTable,
                                              kj::Maybe<loader::OutsideLoader&> loader);
// `loader`, if granted, must outlive the socket's connections.

}  // namespace kiln::server
