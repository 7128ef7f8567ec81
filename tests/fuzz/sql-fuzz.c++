// Fuzz target: SQL a tenant writes (ctx.storage.sql.exec) with its bindings, through kiln's
// authorizer, limits and statement loop, against a database that has a user table and kiln's own
// _cf_ tables. The input is the SQL, then NUL-separated bindings (a leading 'i' is an integer,
// 'r' a real, 'b' a blob, 'n' null, anything else text). Each input runs under a CPU guard of
// 50 ms, as statements do in a worker, so a recursive CTE ends with kiln's error.
//
// Checked after every input: nothing escaped the authorizer (kiln's _cf_ tables are intact)
// and the database still works.

#include "src/io/watchdog.h"
#include "src/js/isolate.h"
#include "src/js/platform.h"
#include "src/storage/sqlite.h"

#include <kj/debug.h>
#include <cstdint>
#include <cstdlib>

using kiln::storage::SqliteDatabase;
using kiln::storage::SqlResult;
using kiln::storage::SqlValue;

namespace {

struct State {
  kj::Own<kiln::js::Isolate> isolate;  // For the CPU guard's termination target only.
};

State& state() {
  static State* s = []() {
    kiln::js::initializeV8();
    auto s = new State;  // Lives for the process, as libFuzzer's targets do.
    s->isolate = kj::heap<kiln::js::Isolate>();
    return s;
  }();
  return *s;
}

SqlValue parseBinding(kj::ArrayPtr<const kj::byte> bytes) {
  SqlValue v;
  if (bytes.size() == 0) {
    v.type = SqlValue::Type::TEXT;
    v.text = kj::str("");
    return v;
  }
  auto rest = bytes.slice(1, bytes.size());
  auto text = kj::heapString(reinterpret_cast<const char*>(rest.begin()), rest.size());
  switch (bytes[0]) {
    case 'i':
      v.type = SqlValue::Type::INTEGER;
      v.integer = strtoll(text.cStr(), nullptr, 10);
      break;
    case 'r':
      v.type = SqlValue::Type::REAL;
      v.real = strtod(text.cStr(), nullptr);
      break;
    case 'b':
      v.type = SqlValue::Type::BLOB;
      v.blob = kj::heapArray<kj::byte>(rest);
      break;
    case 'n':
      v.type = SqlValue::Type::NULL_VALUE;
      break;
    default:
      v.type = SqlValue::Type::TEXT;
      v.text = kj::heapString(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  }
  return v;
}

void must(kj::OneOf<SqlResult, kj::String> result) {
  if (result.is<kj::String>())
    KJ_FAIL_ASSERT("kiln's own statement failed", result.get<kj::String>());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& s = state();
  auto opened = SqliteDatabase::open(":memory:");
  KJ_ASSERT(opened.is<kj::Own<SqliteDatabase>>());
  auto& db = *opened.get<kj::Own<SqliteDatabase>>();
  must(db.exec("CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB)", nullptr,
               SqliteDatabase::Caller::KILN));
  must(db.exec("INSERT INTO _cf_KV VALUES ('secret', x'00')", nullptr,
               SqliteDatabase::Caller::KILN));
  must(db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x')",
               nullptr, SqliteDatabase::Caller::KILN));

  auto input = kj::arrayPtr(data, size);
  kj::Vector<kj::ArrayPtr<const kj::byte>> pieces;
  size_t start = 0;
  for (size_t i = 0; i <= size; i++) {
    if (i == size || data[i] == 0) {
      pieces.add(input.slice(start, i));
      start = i + 1;
    }
  }
  auto sql = kj::heapString(reinterpret_cast<const char*>(pieces[0].begin()), pieces[0].size());
  kj::Vector<SqlValue> bindings;
  for (size_t i = 1; i < pieces.size() && i < 64; i++)
    bindings.add(parseBinding(pieces[i]));

  {
    v8::Locker locker(s.isolate->get());
    kiln::io::CpuGuard guard(s.isolate->get(), 50 * 1000 * 1000);
    (void)db.exec(sql, bindings, SqliteDatabase::Caller::USER);
  }

  // The tenant's SQL never reaches kiln's tables, and leaves the database usable.
  auto check = db.exec("SELECT count(*) FROM _cf_KV WHERE key = 'secret'", nullptr,
                       SqliteDatabase::Caller::KILN);
  if (check.is<SqlResult>()) {
    auto& rows = check.get<SqlResult>().rows;
    KJ_ASSERT(rows.size() == 1 && rows[0][0].integer == 1, "a tenant's SQL changed _cf_KV", sql);
  } else {
    KJ_FAIL_ASSERT("a tenant's SQL broke kiln's table", sql, check.get<kj::String>());
  }
  return 0;
}
