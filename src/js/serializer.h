// Structured clone with host objects: values cross between isolates (a parent's `env` into a
// dynamic worker, later RPC arguments) as V8-serialized bytes, with capability stubs carried
// out of band as indexes into a table the caller keeps.
//
// The implementation is compiled without RTTI because it subclasses V8's serializer delegates
// and V8 is built without RTTI; this header therefore uses no KJ types.
#pragma once

#include <v8.h>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::js {

class HostObjectHandler {
 public:
  virtual ~HostObjectHandler() = default;

  virtual bool writeHostObject(v8::Local<v8::Object> object, uint32_t& id) = 0;
  // Called for API objects (wrapped C++ objects). Return true with an id to carry the object,
  // false to refuse it (the clone then fails with DataCloneError).

  virtual v8::MaybeLocal<v8::Object> readHostObject(uint32_t id) = 0;
};

bool serializeValue(v8::Local<v8::Context> context, v8::Local<v8::Value> value,
                    HostObjectHandler& handler, std::vector<uint8_t>& out);
// False with a pending exception (an Error named "DataCloneError" for uncloneable values).

v8::MaybeLocal<v8::Value> deserializeValue(v8::Local<v8::Context> context, const uint8_t* data,
                                           size_t size, HostObjectHandler& handler);

}  // namespace kiln::js
