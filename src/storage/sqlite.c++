#include "src/storage/sqlite.h"

#include <kj/debug.h>
#include <sqlite3.h>
#include <cctype>

namespace kiln::storage {
namespace {

bool isTransactionStatement(kj::StringPtr sql) {
  size_t i = 0;
  while (i < sql.size() && (isspace(sql[i]) || sql[i] == ';'))
    ++i;
  auto word = kj::heapString(sql.slice(i).asArray().slice(0, kj::min(sql.size() - i, size_t(10))));
  for (auto& c: word)
    c = toupper(c);
  kj::StringPtr w = word;
  return w.startsWith("BEGIN") || w.startsWith("COMMIT") || w.startsWith("END") ||
         w.startsWith("ROLLBACK") || w.startsWith("SAVEPOINT") || w.startsWith("RELEASE");
}

void bind(sqlite3_stmt* stmt, int index, const SqlValue& value) {
  switch (value.type) {
    case SqlValue::Type::NULL_VALUE:
      sqlite3_bind_null(stmt, index);
      break;
    case SqlValue::Type::INTEGER:
      sqlite3_bind_int64(stmt, index, value.integer);
      break;
    case SqlValue::Type::REAL:
      sqlite3_bind_double(stmt, index, value.real);
      break;
    case SqlValue::Type::TEXT:
      sqlite3_bind_text(stmt, index, value.text.cStr(), value.text.size(), SQLITE_TRANSIENT);
      break;
    case SqlValue::Type::BLOB:
      sqlite3_bind_blob(stmt, index, value.blob.begin(), value.blob.size(), SQLITE_TRANSIENT);
      break;
  }
}

SqlValue column(sqlite3_stmt* stmt, int i) {
  SqlValue v;
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      v.type = SqlValue::Type::INTEGER;
      v.integer = sqlite3_column_int64(stmt, i);
      break;
    case SQLITE_FLOAT:
      v.type = SqlValue::Type::REAL;
      v.real = sqlite3_column_double(stmt, i);
      break;
    case SQLITE_TEXT:
      v.type = SqlValue::Type::TEXT;
      v.text = kj::heapString(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                              sqlite3_column_bytes(stmt, i));
      break;
    case SQLITE_BLOB: {
      v.type = SqlValue::Type::BLOB;
      auto data = static_cast<const kj::byte*>(sqlite3_column_blob(stmt, i));
      v.blob = kj::heapArray<kj::byte>(data, sqlite3_column_bytes(stmt, i));
      break;
    }
    default:
      break;
  }
  return v;
}

}  // namespace

kj::OneOf<kj::Own<SqliteDatabase>, kj::String> SqliteDatabase::open(kj::StringPtr path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.cStr(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    auto message = kj::str(db == nullptr ? sqlite3_errstr(rc) : sqlite3_errmsg(db));
    if (db != nullptr)
      sqlite3_close(db);
    return kj::mv(message);
  }
  auto result = kj::heap<SqliteDatabase>(db);
  // WAL: a committed write is in the log file before exec() returns, so it survives the
  // process being killed (synchronous=NORMAL trades only power-loss durability for speed).
  char* error = nullptr;
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                   &error) != SQLITE_OK) {
    auto message = kj::str(error);
    sqlite3_free(error);
    return kj::mv(message);
  }
  return kj::mv(result);
}

SqliteDatabase::~SqliteDatabase() noexcept(false) {
  sqlite3_close_v2(db);
}

size_t SqliteDatabase::sizeBytes() {
  auto result = exec("PRAGMA page_count", nullptr, true);
  auto size = exec("PRAGMA page_size", nullptr, true);
  if (result.is<SqlResult>() && size.is<SqlResult>()) {
    auto& a = result.get<SqlResult>();
    auto& b = size.get<SqlResult>();
    if (a.rows.size() == 1 && b.rows.size() == 1) {
      return size_t(a.rows[0][0].integer) * size_t(b.rows[0][0].integer);
    }
  }
  return 0;
}

kj::OneOf<SqlResult, kj::String> SqliteDatabase::exec(kj::StringPtr sql,
                                                      kj::ArrayPtr<const SqlValue> bindings,
                                                      bool allowTransactionStatements) {
  bool wrap = !allowTransactionStatements;
  if (wrap)
    sqlite3_exec(db, "SAVEPOINT _kiln_exec", nullptr, nullptr, nullptr);
  auto fail = [&](kj::String message) -> kj::OneOf<SqlResult, kj::String> {
    if (wrap) {
      sqlite3_exec(db, "ROLLBACK TO _kiln_exec; RELEASE _kiln_exec", nullptr, nullptr, nullptr);
    }
    return kj::mv(message);
  };

  SqlResult result;
  const char* rest = sql.cStr();
  size_t nextBinding = 0;
  while (*rest != '\0') {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db, rest, -1, &stmt, &tail) != SQLITE_OK) {
      return fail(kj::str(sqlite3_errmsg(db)));
    }
    if (stmt == nullptr) {  // Whitespace or a comment.
      rest = tail;
      continue;
    }
    KJ_DEFER(sqlite3_finalize(stmt));
    if (!allowTransactionStatements && isTransactionStatement(sqlite3_sql(stmt))) {
      return fail(
          kj::str("To execute a transaction, please use the state.storage.transaction() "
                  "or state.storage.transactionSync() APIs instead of the SQL BEGIN "
                  "TRANSACTION or SAVEPOINT statements. The JavaScript API is safer "
                  "because it will automatically roll back on exceptions, and because "
                  "it interacts correctly with Durable Objects' automatic atomic write "
                  "coalescing."));
    }
    int params = sqlite3_bind_parameter_count(stmt);
    if (nextBinding + params > bindings.size()) {
      return fail(kj::str("Wrong number of parameter bindings for SQL query."));
    }
    for (int i = 0; i < params; i++)
      bind(stmt, i + 1, bindings[nextBinding++]);

    int columns = sqlite3_column_count(stmt);
    bool last = *tail == '\0' || kj::StringPtr(tail).size() == 0;
    if (columns > 0) {
      auto names = kj::heapArrayBuilder<kj::String>(columns);
      for (int i = 0; i < columns; i++)
        names.add(kj::str(sqlite3_column_name(stmt, i)));
      // The cursor shows the last statement's rows, as Workers does.
      result.columns = names.finish();
      result.rows.clear();
    }
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        auto row = kj::heapArrayBuilder<SqlValue>(columns);
        for (int i = 0; i < columns; i++)
          row.add(column(stmt, i));
        result.rows.add(row.finish());
        ++result.rowsRead;
      } else if (rc == SQLITE_DONE) {
        break;
      } else {
        return fail(kj::str(sqlite3_errmsg(db)));
      }
    }
    if (!sqlite3_stmt_readonly(stmt))
      result.rowsWritten += sqlite3_changes(db);
    result.rowsRead += sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    (void)last;
    rest = tail;
  }
  if (nextBinding != bindings.size()) {
    return fail(kj::str("Wrong number of parameter bindings for SQL query."));
  }
  if (wrap)
    sqlite3_exec(db, "RELEASE _kiln_exec", nullptr, nullptr, nullptr);
  return kj::mv(result);
}

}  // namespace kiln::storage
