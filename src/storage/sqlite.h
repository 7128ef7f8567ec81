// A Durable Object's SQLite database: one file (WAL mode) or in memory, used from one thread.
#pragma once

#include <kj/array.h>
#include <cstdint>
#include <kj/one-of.h>
#include <kj/string.h>
#include <kj/vector.h>

struct sqlite3;

namespace kiln::storage {

struct SqlValue {
  enum class Type { NULL_VALUE, INTEGER, REAL, TEXT, BLOB };
  Type type = Type::NULL_VALUE;
  int64_t integer = 0;
  double real = 0;
  kj::String text;
  kj::Array<kj::byte> blob;
};

struct SqlResult {
  kj::Array<kj::String> columns;
  kj::Vector<kj::Array<SqlValue>> rows;
  int64_t rowsRead = 0;
  int64_t rowsWritten = 0;
};

class SqliteDatabase {
 public:
  static kj::OneOf<kj::Own<SqliteDatabase>, kj::String> open(kj::StringPtr path);
  // `path` ":memory:" for an in-memory database. The error is SQLite's message.

  explicit SqliteDatabase(sqlite3* db);
  ~SqliteDatabase() noexcept(false);
  KJ_DISALLOW_COPY(SqliteDatabase);

  enum class Caller { USER, KILN };
  // USER: SQL a worker wrote (ctx.storage.sql.exec). The authorizer confines it to the user's
  // own tables: no ATTACH, no PRAGMA beyond a read-only allowlist, no access to kiln's `_cf_*`
  // tables or SQLite's internals, no extensions, no transaction statements.
  // KILN: kiln's own statements (KV, alarms, transactions, sizes), which may do all of that.

  kj::OneOf<SqlResult, kj::String> exec(kj::StringPtr sql, kj::ArrayPtr<const SqlValue> bindings,
                                        Caller caller);
  // Runs every statement in `sql`; all of it or none of it takes effect (a savepoint wraps the
  // whole for USER statements). The error is SQLite's message (or kiln's for refused
  // statements); a statement the authorizer refuses fails with "not authorized: SQLITE_AUTH".

  size_t sizeBytes();

 private:
  sqlite3* db;
  Caller caller = Caller::KILN;  // Whose statement is being prepared, for the authorizer.

  static int authorize(void* self, int action, const char* a, const char* b, const char* dbName,
                       const char* trigger);
};

}  // namespace kiln::storage
