// SQLite 3.40's printf('%.*c', n, 'x') repeats the character n times even once the output has
// passed SQLITE_LIMIT_LENGTH (it stops storing, not looping): n = 2,000,000,000 is 3 s of CPU
// inside one function call, where neither the progress handler nor the CPU watchdog can stop
// it, so a tenant could wedge its thread with one short statement. kiln's printf() and format()
// clamp every %c precision to the length limit + 1 (the output is then the same: cut at the
// limit) and run the built-in on a private connection of the thread.

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

struct Clamped {
  kj::String format;
  kj::Vector<int> clampArgs;  // Arguments (0-based, the format is 0) that are %c precisions.
};

// The format with every literal %c precision over `limit` lowered to it, and which `*`
// precisions of %c take their value from which argument. Mirrors the conversion syntax of
// SQLite's printf: flags, width (digits or *), .precision (digits or *), l/ll, conversion.
Clamped clampFormat(kj::StringPtr format, int64_t limit) {
  Clamped out;
  kj::Vector<char> text;
  int arg = 1;
  size_t i = 0;
  auto n = format.size();
  while (i < n) {
    char c = format[i++];
    text.add(c);
    if (c != '%')
      continue;
    while (i < n && strchr("-+ #!0,", format[i]) != nullptr)
      text.add(format[i++]);
    if (i < n && format[i] == '*') {
      text.add(format[i++]);
      arg++;
    } else {
      while (i < n && format[i] >= '0' && format[i] <= '9')
        text.add(format[i++]);
    }
    int starArg = -1;
    kj::Vector<char> digits;
    bool hasPrecision = i < n && format[i] == '.';
    if (hasPrecision) {
      i++;
      if (i < n && format[i] == '*') {
        i++;
        starArg = arg++;
      } else {
        while (i < n && format[i] >= '0' && format[i] <= '9')
          digits.add(format[i++]);
      }
    }
    size_t conv = i;
    while (conv < n && format[conv] == 'l')
      conv++;
    bool isChar = conv < n && format[conv] == 'c';
    if (hasPrecision) {
      text.add('.');
      if (starArg >= 0) {
        text.add('*');
        if (isChar)
          out.clampArgs.add(starArg);
      } else if (isChar && (digits.size() > 9 || atoll(kj::heapString(digits).cStr()) > limit)) {
        for (char d: kj::str(limit))
          text.add(d);
      } else {
        text.addAll(digits);
      }
    }
    while (i <= conv && i < n)
      text.add(format[i++]);
    if (conv < n && format[conv] != '%')
      arg++;
  }
  out.format = kj::heapString(text.begin(), text.size());
  return out;
}

void guardedPrintf(sqlite3_context* context, int argc, sqlite3_value** argv) {
  if (argc == 0 || sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  int maxLength = *static_cast<int*>(sqlite3_user_data(context));
  auto format = kj::heapString(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])),
                               sqlite3_value_bytes(argv[0]));
  auto clamped = clampFormat(format, int64_t(maxLength) + 1);
  auto stmt = builtin.statement(argc, maxLength);
  sqlite3_bind_text(stmt, 1, clamped.format.cStr(), clamped.format.size(), SQLITE_TRANSIENT);
  for (int i = 1; i < argc; i++)
    sqlite3_bind_value(stmt, i + 1, argv[i]);
  for (int index: clamped.clampArgs) {
    if (index < argc) {
      int64_t p = sqlite3_value_int64(argv[index]);
      if (p > maxLength || p < -maxLength)
        sqlite3_bind_int64(stmt, index + 1, p < 0 ? -int64_t(maxLength) - 1 : maxLength + 1);
    }
  }
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
