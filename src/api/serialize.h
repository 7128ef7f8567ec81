// Values that cross from one worker to another (a dynamic worker's `env`): structured-clone
// bytes plus the capabilities of the stubs inside them, which travel out of band so that the
// receiving worker gets stubs of its own over the same capabilities.
#pragma once

#include "src/api/capability.h"

#include <v8.h>
#include <kj/array.h>

namespace kiln::api {

kj::Maybe<SerializedValue> serialize(v8::Local<v8::Context> context, v8::Local<v8::Value> value,
                                     size_t maxBytes);
// Null with a pending JS exception: DataCloneError for values that cannot cross (functions,
// non-stub host objects...), RangeError past maxBytes.

v8::MaybeLocal<v8::Value> deserialize(v8::Local<v8::Context> context, const SerializedValue& value);
// Stubs come back as new stubs in `context`, sharing the original capabilities.

}  // namespace kiln::api
