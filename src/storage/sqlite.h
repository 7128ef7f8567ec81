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

  explicit SqliteDatabase(sqlite3* db) : db(db) {}
  ~SqliteDatabase() noexcept(false);
  KJ_DISALLOW_COPY(SqliteDatabase);

  kj::OneOf<SqlResult, kj::String> exec(kj::StringPtr sql, kj::ArrayPtr<const SqlValue> bindings,
                                        bool allowTransactionStatements = false);
  // Runs every statement in `sql`; all of it or none of it takes effect (a savepoint wraps the
  // whole). BEGIN/COMMIT/SAVEPOINT... are refused unless allowed (kiln's own bookkeeping).
  // The error is SQLite's message (or kiln's for refused statements).

  size_t sizeBytes();

 private:
  sqlite3* db;
};

}  // namespace kiln::storage
