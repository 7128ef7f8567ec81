#include "src/storage/sqlite.h"

#include "src/io/watchdog.h"
#include "src/storage/sqlite-printf.h"

#include <kj/debug.h>
#include <sqlite3.h>
#include <cctype>
#include <strings.h>

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

bool startsWithNoCase(const char* text, kj::StringPtr prefix) {
  return text != nullptr && strncasecmp(text, prefix.cStr(), prefix.size()) == 0;
}

bool equalsNoCase(const char* text, kj::StringPtr word) {
  return text != nullptr && strcasecmp(text, word.cStr()) == 0;
}

bool isKilnTable(const char* name) {
  // kiln's own bookkeeping (KV, alarms). Workers hides its KV table the same way.
  return startsWithNoCase(name, "_cf_") || startsWithNoCase(name, "__cf_");
}

bool isRawPageTable(const char* name) {
  // Virtual tables over the file's raw pages: writing them would bypass every other rule.
  for (auto t: {"sqlite_dbpage", "sqlite_dbdata", "sqlite_dbptr", "dbstat", "sqlite_stmt"}) {
    if (equalsNoCase(name, t))
      return true;
  }
  return false;
}

bool isAllowedPragma(const char* name) {
  // Read-only introspection and per-connection switches that cannot reach beyond this database
  // (no journal_mode, synchronous, writable_schema, database_list: paths and durability are
  // kiln's business).
  for (auto p: {"table_info", "table_xinfo", "table_list", "index_info", "index_xinfo",
                "index_list", "foreign_key_list", "foreign_key_check", "foreign_keys",
                "defer_foreign_keys", "quick_check", "integrity_check", "data_version",
                "legacy_alter_table", "recursive_triggers", "reverse_unordered_selects",
                "ignore_check_constraints", "case_sensitive_like", "optimize"}) {
    if (equalsNoCase(name, p))
      return true;
  }
  return false;
}

bool isAllowedVirtualTableModule(const char* module) {
  for (auto m: {"fts5", "fts4", "fts3", "rtree"}) {
    if (equalsNoCase(module, m))
      return true;
  }
  return false;
}

bool startsWithKeyword(kj::StringPtr sql, kj::StringPtr keyword) {
  size_t i = 0;
  while (i < sql.size() && (isspace(sql[i]) || sql[i] == ';'))
    ++i;
  return strncasecmp(sql.cStr() + i, keyword.cStr(), keyword.size()) == 0 &&
         !isalnum(sql[i + keyword.size()]);
}

// Cloudflare's limits for SQL in a Durable Object; they also bound the memory one statement
// can take outside the V8 heap (a 1 GB zeroblob would otherwise be SQLite's default).
constexpr int MAX_LENGTH = 2000000;  // Of a string or blob, as on Workers.

void applyLimits(sqlite3* db) {
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, MAX_LENGTH);
  sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100000);
  sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 100);
  sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 100);
  sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 32);
  sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 50);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
}

kj::String errorMessage(sqlite3* db) {
  // Workers reports refusals with the code's name, which callers match on. Table-valued
  // pragmas are refused when they run, with a plain SQLITE_ERROR code.
  // A refused column read says "access to t.c is prohibited"; it is refused all the same.
  kj::StringPtr message = sqlite3_errmsg(db);
  if (message.startsWith("not authorized"))
    return kj::str(message, ": SQLITE_AUTH");
  if (sqlite3_errcode(db) == SQLITE_AUTH)
    return kj::str("not authorized: ", message, ": SQLITE_AUTH");
  return kj::str(message);
}

}  // namespace

SqliteDatabase::SqliteDatabase(sqlite3* db) : db(db) {
  applyLimits(db);
  installGuardedPrintf(db, MAX_LENGTH);
  sqlite3_set_authorizer(db, &authorize, this);
  // A statement can run for ever inside SQLite (a recursive CTE), where V8's termination
  // cannot reach; the progress handler asks the CPU watchdog between virtual-machine steps.
  sqlite3_progress_handler(
      db, 1000, [](void*) -> int { return io::cpuLimitReached() ? 1 : 0; }, nullptr);
}

int SqliteDatabase::authorize(void* self, int action, const char* a, const char* b,
                              const char* dbName, const char* trigger) {
  if (static_cast<SqliteDatabase*>(self)->caller == Caller::KILN)
    return SQLITE_OK;
  switch (action) {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      return SQLITE_DENY;
    case SQLITE_PRAGMA:
      return isAllowedPragma(a) ? SQLITE_OK : SQLITE_DENY;
    case SQLITE_FUNCTION:
      return equalsNoCase(b, "load_extension") || equalsNoCase(b, "fts3_tokenizer") ? SQLITE_DENY
                                                                                    : SQLITE_OK;
    case SQLITE_CREATE_VTABLE:
      return !isKilnTable(a) && isAllowedVirtualTableModule(b) ? SQLITE_OK : SQLITE_DENY;
    case SQLITE_ALTER_TABLE:
      return isKilnTable(b) ? SQLITE_DENY : SQLITE_OK;
    default:
      break;
  }
  // Every other action names a table (or index, trigger, view) first and, for indexes and
  // triggers, its table second. SQLite itself refuses user writes to sqlite_master and objects
  // named sqlite_*; its own nested statements (schema updates) pass through here too.
  if (isKilnTable(a) || isKilnTable(b) || isRawPageTable(a))
    return SQLITE_DENY;
  return SQLITE_OK;
}

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
  auto result = exec("PRAGMA page_count", nullptr, Caller::KILN);
  auto size = exec("PRAGMA page_size", nullptr, Caller::KILN);
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
                                                      Caller callerOfThis) {
  bool user = callerOfThis == Caller::USER;
  bool wrap = user;
  // The savepoints around a user's statements are kiln's; only the statements are the user's.
  caller = Caller::KILN;
  if (wrap)
    sqlite3_exec(db, "SAVEPOINT _kiln_exec", nullptr, nullptr, nullptr);
  // Statements may be prepared again inside sqlite3_step (after a schema change), so the
  // caller stays set until the statements are done.
  caller = callerOfThis;
  KJ_DEFER(caller = Caller::KILN);
  auto fail = [&](kj::String message) -> kj::OneOf<SqlResult, kj::String> {
    caller = Caller::KILN;
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
    if (user && startsWithKeyword(rest, "VACUUM")) {
      // VACUUM INTO writes a copy of the database to any path; plain VACUUM is kiln's to run.
      return fail(kj::str("not authorized: SQLITE_AUTH"));
    }
    if (sqlite3_prepare_v2(db, rest, -1, &stmt, &tail) != SQLITE_OK) {
      return fail(errorMessage(db));
    }
    if (stmt == nullptr) {  // Whitespace or a comment.
      rest = tail;
      continue;
    }
    KJ_DEFER(sqlite3_finalize(stmt));
    if (user && isTransactionStatement(sqlite3_sql(stmt))) {
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
      } else if (rc == SQLITE_INTERRUPT) {
        return fail(kj::str("Worker exceeded CPU time limit."));
      } else {
        return fail(errorMessage(db));
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
  caller = Caller::KILN;
  if (wrap)
    sqlite3_exec(db, "RELEASE _kiln_exec", nullptr, nullptr, nullptr);
  return kj::mv(result);
}

}  // namespace kiln::storage
