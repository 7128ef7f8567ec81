// SQLite 3.40's printf('%.*c', n, 'x') repeats the character n times even once the output has
// passed SQLITE_LIMIT_LENGTH (it stops storing, not looping): n = 2,000,000,000 is 3 s of CPU
// inside one function call, where neither the progress handler nor the CPU watchdog can stop
// it, so a tenant could wedge its thread with one short statement. kiln's printf() and format()
// give NULL at once when a %c would repeat past the length limit (SQLite's own gives NULL there,
// after the loop), and otherwise run the built-in on a private connection of the thread.

#include "src/storage/sqlite-printf.h"

#include <kj/debug.h>
#include <kj/string.h>
#include <kj/vector.h>
#include <sqlite3.h>
#include <cstdlib>

namespace kiln::storage {
namespace {

struct Builtin {
  // A connection with nothing in it but SQLite's own functions, one per thread (the tenant
  // databases of a thread share it; it is never used across threads).
  sqlite3* db = nullptr;
  kj::Vector<sqlite3_stmt*> statements;  // "SELECT printf(?1, …, ?n)" by n.

  ~Builtin() {
    for (auto stmt: statements)
      sqlite3_finalize(stmt);
    if (db != nullptr)
      sqlite3_close_v2(db);
  }

  sqlite3_stmt* statement(int args, int maxLength) {
    if (db == nullptr) {
      KJ_ASSERT(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                nullptr) == SQLITE_OK);
      sqlite3_limit(db, SQLITE_LIMIT_LENGTH, maxLength);
    }
    while (statements.size() <= size_t(args))
      statements.add(nullptr);
    auto& stmt = statements[args];
    if (stmt == nullptr) {
      kj::Vector<kj::String> params;
      for (int i = 1; i <= args; i++)
        params.add(kj::str("?", i));
      auto sql = kj::str("SELECT printf(", kj::strArray(params, ","), ")");
      KJ_ASSERT(sqlite3_prepare_v2(db, sql.cStr(), -1, &stmt, nullptr) == SQLITE_OK,
                sqlite3_errmsg(db));
    }
    return stmt;
  }
};

thread_local Builtin builtin;

// Whether some %c of the format repeats its character more than `limit` times: its precision,
// literal or taken from an argument (`.*`). Mirrors the conversion syntax of SQLite's printf:
// flags, width (digits or *), .precision (digits or *), l/ll, then the conversion.
bool repeatsPast(kj::StringPtr format, int argc, sqlite3_value** argv, int64_t limit) {
  int arg = 1;
  size_t i = 0;
  auto n = format.size();
  auto digitsAt = [&]() {
    int64_t value = 0;
    while (i < n && format[i] >= '0' && format[i] <= '9') {
      value = kj::min(value * 10 + (format[i++] - '0'), limit + 1);
    }
    return value;
  };
  while (i < n) {
    if (format[i++] != '%')
      continue;
    while (i < n && strchr("-+ #!0,", format[i]) != nullptr)
      i++;
    if (i < n && format[i] == '*') {
      i++;
      arg++;
    } else {
      digitsAt();
    }
    int64_t precision = 0;
    if (i < n && format[i] == '.') {
      i++;
      if (i < n && format[i] == '*') {
        i++;
        int64_t p = arg < argc ? sqlite3_value_int64(argv[arg]) : 0;
        arg++;
        precision = p < 0 ? (p < -limit ? limit + 1 : -p) : p;
      } else {
        precision = digitsAt();
      }
    }
    while (i < n && format[i] == 'l')
      i++;
    if (i >= n)
      break;
    char conversion = format[i++];
    if (conversion == 'c' && precision > limit)
      return true;
    if (conversion != '%')
      arg++;
  }
  return false;
}

void guardedPrintf(sqlite3_context* context, int argc, sqlite3_value** argv) {
  if (argc == 0 || sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  int maxLength = *static_cast<int*>(sqlite3_user_data(context));
  auto format = kj::heapString(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])),
                               sqlite3_value_bytes(argv[0]));
  if (repeatsPast(format, argc, argv, maxLength)) {
    // What SQLite's own gives for an output over the length limit, without the loop.
    sqlite3_result_null(context);
    return;
  }
  auto stmt = builtin.statement(argc, maxLength);
  for (int i = 0; i < argc; i++)
    sqlite3_bind_value(stmt, i + 1, argv[i]);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    sqlite3_result_value(context, sqlite3_column_value(stmt, 0));
  } else if (sqlite3_errcode(builtin.db) == SQLITE_TOOBIG) {
    sqlite3_result_error_toobig(context);
  } else {
    sqlite3_result_error(context, sqlite3_errmsg(builtin.db), -1);
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

}  // namespace

void installGuardedPrintf(sqlite3* db, int maxLength) {
  // Every database of the process has the same limit (applyLimits).
  static int limit = 0;
  limit = maxLength;
  for (auto name: {"printf", "format"}) {
    KJ_ASSERT(sqlite3_create_function_v2(db, name, -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, &limit,
                                         &guardedPrintf, nullptr, nullptr, nullptr) == SQLITE_OK);
  }
}

}  // namespace kiln::storage
