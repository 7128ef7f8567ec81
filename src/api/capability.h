// Capabilities: what a stub in JavaScript refers to. A stub is an API object whose internal
// field holds a reference to a Capability; it has no name and cannot be built from data, so the
// only way to hold one is to be handed one. Props live inside the capability, on the callee's
// side, and are never visible to the holder.
#pragma once

#include <kj/compat/http.h>
#include <kj/refcount.h>

namespace kiln::io {
class RevocationScope;
}

namespace kiln::api {

class Capability;

struct SerializedValue {
  // A structured-clone of a JavaScript value; stubs inside travel as indexes into `caps`.
  kj::Array<kj::byte> bytes;
  kj::Array<kj::Own<Capability>> caps;
  uint32_t depth = 0;
  // For call arguments: how deep in a chain of calls between workers the caller's event was
  // (see io::MAX_CALL_DEPTH), so that a worker calling itself for ever is stopped.
};

struct CallResult {
  SerializedValue value;  // What the method returned, or what it threw.
  bool threw = false;
};

class Capability : public kj::HttpService, public kj::Refcounted {
 public:
  virtual kj::Promise<CallResult> call(kj::String method, SerializedValue args);
  // JS RPC: calls `method` with the arguments array in `args`. The default refuses.

  virtual kj::Maybe<kj::Own<Capability>> withProps(kj::String propsJson) { return nullptr; }
  // ctx.exports entries can be called as `ctx.exports.X({props})` to mint a new capability bound
  // to those props; other capabilities cannot (null).

  virtual kj::Promise<kj::String> callJson(kj::String method, kj::String paramsJson);
  // The same with JSON in and out, for callers outside any isolate (Cap'n Proto sockets). A JS
  // exception comes back as a userError().

  virtual bool isFunction() { return false; }
  // A function passed by reference: its stub is called directly rather than through methods.

  kj::Own<Capability> addRef() { return kj::addRef(*this); }
};

kj::Own<Capability> scopeTo(io::RevocationScope& scope, kj::Own<Capability> cap);
// A capability forwarding to `cap` until `scope` ends; afterwards every call and request fails
// and `cap` is released. What a stub received during an event holds (the scope of a stateless
// event, or of the Durable Object instance the event was for).

kj::Maybe<kj::Own<Capability>> forwardable(Capability& cap);
// What a stub holding `cap` passes on when it is sent to another worker: the capability itself,
// or for an event-scoped one what it forwards to (the receiver's scope is its own). Null if
// that scope has already ended.

kj::Own<Capability> newServiceCapability(kj::Own<kj::HttpService> service);
// A capability that forwards requests to a service it owns.

kj::Exception userError(kj::StringPtr type, kj::StringPtr message);
// A KJ exception carrying an error JavaScript should see as `type` ("Error", "TypeError"...)
// with `message`, when it crosses into a worker (e.g. a dynamic worker's CPU limit reaching the
// parent's fetch()). Any other KJ exception reaches JavaScript as a generic error.

kj::Maybe<kj::Tuple<kj::String, kj::String>> parseUserError(const kj::Exception& e);
// (type, message) of an exception made by userError().

}  // namespace kiln::api
