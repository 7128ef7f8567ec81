// printf()/format() for tenants' SQL without SQLite 3.40's slow path: see sqlite-printf.c++.
#pragma once

struct sqlite3;

namespace kiln::storage {

void installGuardedPrintf(sqlite3* db, int maxLength);
// Replaces printf() and format() on `db` with versions whose output is the built-in's, but
// that give NULL without looping when a %c precision is over maxLength.

}  // namespace kiln::storage
