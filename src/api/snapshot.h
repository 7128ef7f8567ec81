// The startup snapshot: a V8 heap with kiln's built-ins already evaluated, so that a new worker
// context costs a deserialization instead of compiling and running every built-in file.
#pragma once

#include <v8.h>

namespace kiln::api {

const v8::StartupData* getStartupSnapshot();
// Built on first use (once per process) and kept for the process lifetime. Null if building it
// failed, in which case contexts evaluate the built-ins themselves.

const intptr_t* getExternalReferences();
// Every C++ function the snapshot may refer to, null-terminated.

enum SnapshotData : size_t { SNAPSHOT_NATIVES = 0, SNAPSHOT_INTERNAL = 1 };

}  // namespace kiln::api
