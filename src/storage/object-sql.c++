// The SQL and KV natives behind ctx.storage: statements, the _cf_KV table, value conversion
// between JavaScript and SQLite, and transactions as savepoints.

#include "src/storage/object.h"

#include "src/js/serializer.h"

#include <cmath>
#include <vector>

namespace kiln::storage {

namespace {

class RefuseHostObjects final : public js::HostObjectHandler {
 public:
  ~RefuseHostObjects() noexcept override {}
  bool writeHostObject(v8::Local<v8::Object>, uint32_t&) override { return false; }
  v8::MaybeLocal<v8::Object> readHostObject(uint32_t) override { return {}; }
};

v8::Local<v8::Value> toJs(v8::Local<v8::Context> context, const SqlValue& v) {
  auto isolate = context->GetIsolate();
  switch (v.type) {
    case SqlValue::Type::NULL_VALUE:
      return v8::Null(isolate);
    case SqlValue::Type::INTEGER:
      return v8::Number::New(isolate, double(v.integer));
    case SqlValue::Type::REAL:
      return v8::Number::New(isolate, v.real);
    case SqlValue::Type::TEXT:
      return newString(isolate, v.text);
    case SqlValue::Type::BLOB: {
      v8::Local<v8::ArrayBuffer> buffer;
      if (!js::newArrayBuffer(isolate, v.blob.size()).ToLocal(&buffer))
        return v8::Null(isolate);  // A RangeError is pending; the caller sees it.
      if (v.blob.size() > 0)
        memcpy(buffer->Data(), v.blob.begin(), v.blob.size());
      return buffer;
    }
  }
  KJ_UNREACHABLE;
}

bool fromJs(v8::Local<v8::Context> context, v8::Local<v8::Value> value, SqlValue& out) {
  auto isolate = context->GetIsolate();
  if (value->IsNull() || value->IsUndefined()) {
    out.type = SqlValue::Type::NULL_VALUE;
  } else if (value->IsNumber()) {
    double d = value.As<v8::Number>()->Value();
    if (d == double(int64_t(d)) && std::abs(d) < 9007199254740992.0) {
      out.type = SqlValue::Type::INTEGER;
      out.integer = int64_t(d);
    } else {
      out.type = SqlValue::Type::REAL;
      out.real = d;
    }
  } else if (value->IsBigInt()) {
    out.type = SqlValue::Type::INTEGER;
    out.integer = value.As<v8::BigInt>()->Int64Value();
  } else if (value->IsBoolean()) {
    out.type = SqlValue::Type::INTEGER;
    out.integer = value->BooleanValue(isolate) ? 1 : 0;
  } else if (value->IsString()) {
    out.type = SqlValue::Type::TEXT;
    out.text = toKj(isolate, value);
  } else KJ_IF_MAYBE (bytes, js::viewBytes(value)) {
    out.type = SqlValue::Type::BLOB;
    out.blob = kj::heapArray<kj::byte>(*bytes);
  } else {
    js::throwTypeError(isolate,
                       "SQL bindings must be strings, numbers, bigints, booleans, "
                       "null or ArrayBuffers.");
    return false;
  }
  return true;
}

}  // namespace

kj::Maybe<SqlResult> ObjectInstance::run(v8::Isolate* isolate, kj::StringPtr sql,
                                         kj::ArrayPtr<const SqlValue> bindings,
                                         SqliteDatabase::Caller caller) {
  KJ_IF_MAYBE (database, getDatabase(isolate)) {
    auto result = database->exec(sql, bindings, caller);
    if (result.is<kj::String>()) {
      js::throwError(isolate, js::ErrorType::ERROR, result.get<kj::String>());
      return nullptr;
    }
    return kj::mv(result.get<SqlResult>());
  }
  return nullptr;
}

bool ObjectInstance::ensureKv(v8::Isolate* isolate) {
  if (kvReady)
    return true;
  KJ_IF_MAYBE (r, run(isolate,
                      "CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, "
                      "value BLOB) WITHOUT ROWID",
                      nullptr)) {
    kvReady = true;
    return true;
  }
  return false;
}

void ObjectInstance::storageExec(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto sql = toKj(isolate, info[0]);
  kj::Vector<SqlValue> bindings;
  if (info[1]->IsArray()) {
    auto list = info[1].As<v8::Array>();
    for (uint32_t i = 0; i < list->Length(); i++) {
      SqlValue v;
      if (!fromJs(context, list->Get(context, i).ToLocalChecked(), v))
        return;
      bindings.add(kj::mv(v));
    }
  }
  KJ_IF_MAYBE (result, s->run(isolate, sql, bindings, SqliteDatabase::Caller::USER)) {
    if (result->rowsWritten > 0)
      s->reportSize();
    auto out = v8::Object::New(isolate);
    auto columns = v8::Array::New(isolate, result->columns.size());
    for (uint32_t i = 0; i < result->columns.size(); i++) {
      columns->Set(context, i, newString(isolate, result->columns[i])).Check();
    }
    auto rows = v8::Array::New(isolate, result->rows.size());
    v8::TryCatch tryCatch(isolate);
    for (uint32_t r = 0; r < result->rows.size(); r++) {
      auto& row = result->rows[r];
      auto jsRow = v8::Array::New(isolate, row.size());
      for (uint32_t c = 0; c < row.size(); c++) {
        auto value = toJs(context, row[c]);
        if (tryCatch.HasCaught()) {
          tryCatch.ReThrow();  // Out of ArrayBuffer memory for a blob.
          return;
        }
        jsRow->Set(context, c, value).Check();
      }
      rows->Set(context, r, jsRow).Check();
    }
    out->Set(context, newString(isolate, "columns"), columns).Check();
    out->Set(context, newString(isolate, "rows"), rows).Check();
    out->Set(context, newString(isolate, "rowsRead"),
             v8::Number::New(isolate, double(result->rowsRead)))
        .Check();
    out->Set(context, newString(isolate, "rowsWritten"),
             v8::Number::New(isolate, double(result->rowsWritten)))
        .Check();
    info.GetReturnValue().Set(out);
  }
}

void ObjectInstance::kvGet(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr || !s->ensureKv(info.GetIsolate()))
    return;
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  SqlValue key;
  key.type = SqlValue::Type::TEXT;
  key.text = toKj(isolate, info[0]);
  KJ_IF_MAYBE (result,
               s->run(isolate, "SELECT value FROM _cf_KV WHERE key = ?", kj::arrayPtr(&key, 1))) {
    if (result->rows.size() == 0)
      return;  // undefined
    auto& blob = result->rows[0][0].blob;
    RefuseHostObjects handler;
    v8::Local<v8::Value> value;
    if (js::deserializeValue(context, blob.begin(), blob.size(), handler).ToLocal(&value)) {
      info.GetReturnValue().Set(value);
    }
  }
}

void ObjectInstance::kvPut(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr || !s->ensureKv(info.GetIsolate()))
    return;
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  RefuseHostObjects handler;
  std::vector<uint8_t> bytes;
  if (!js::serializeValue(context, info[1], handler, bytes))
    return;
  SqlValue params[2];
  params[0].type = SqlValue::Type::TEXT;
  params[0].text = toKj(isolate, info[0]);
  params[1].type = SqlValue::Type::BLOB;
  params[1].blob = kj::heapArray<kj::byte>(bytes.data(), bytes.size());
  s->run(isolate,
         "INSERT INTO _cf_KV (key, value) VALUES (?, ?) "
         "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
         kj::arrayPtr(params, 2));
  s->reportSize();
}

void ObjectInstance::kvDelete(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr || !s->ensureKv(info.GetIsolate()))
    return;
  auto isolate = info.GetIsolate();
  SqlValue key;
  key.type = SqlValue::Type::TEXT;
  key.text = toKj(isolate, info[0]);
  KJ_IF_MAYBE (result, s->run(isolate, "DELETE FROM _cf_KV WHERE key = ?", kj::arrayPtr(&key, 1))) {
    info.GetReturnValue().Set(result->rowsWritten > 0);
  }
}

// kvList(prefix, start, end, limit, reverse, startAfter) -> [[key, value], ...]
void ObjectInstance::kvList(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr || !s->ensureKv(info.GetIsolate()))
    return;
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  kj::Vector<kj::String> where;
  kj::Vector<SqlValue> params;
  auto addText = [&](kj::StringPtr clause, v8::Local<v8::Value> value) {
    if (!value->IsString())
      return;
    where.add(kj::str(clause));
    SqlValue v;
    v.type = SqlValue::Type::TEXT;
    v.text = toKj(isolate, value);
    params.add(kj::mv(v));
  };
  if (info[0]->IsString()) {
    // Prefix as a range, so that LIKE wildcards in keys mean nothing.
    where.add(kj::str("substr(key, 1, length(?)) = ?"));
    for (int i = 0; i < 2; i++) {
      SqlValue v;
      v.type = SqlValue::Type::TEXT;
      v.text = toKj(isolate, info[0]);
      params.add(kj::mv(v));
    }
  }
  addText("key >= ?", info[1]);
  addText("key > ?", info[5]);  // startAfter: exclusive
  addText("key < ?", info[2]);
  auto sql =
      kj::str("SELECT key, value FROM _cf_KV",
              where.size() > 0 ? kj::str(" WHERE ", kj::strArray(where, " AND ")) : kj::str(),
              " ORDER BY key", info[4]->BooleanValue(isolate) ? " DESC" : "",
              info[3]->IsNumber() ? kj::str(" LIMIT ", info[3]->Uint32Value(context).FromMaybe(0))
                                  : kj::str());
  KJ_IF_MAYBE (result, s->run(isolate, sql, params)) {
    auto out = v8::Array::New(isolate, result->rows.size());
    for (uint32_t i = 0; i < result->rows.size(); i++) {
      auto& blob = result->rows[i][1].blob;
      RefuseHostObjects handler;
      v8::Local<v8::Value> value;
      if (!js::deserializeValue(context, blob.begin(), blob.size(), handler).ToLocal(&value)) {
        return;
      }
      auto pair = v8::Array::New(isolate, 2);
      pair->Set(context, 0, newString(isolate, result->rows[i][0].text)).Check();
      pair->Set(context, 1, value).Check();
      out->Set(context, i, pair).Check();
    }
    info.GetReturnValue().Set(out);
  }
}

void ObjectInstance::tx(const v8::FunctionCallbackInfo<v8::Value>& info, kj::StringPtr verb) {
  auto s = self(info);
  if (s == nullptr)
    return;
  auto isolate = info.GetIsolate();
  auto name = kj::str("_kiln_tx_", info[0]->Uint32Value(isolate->GetCurrentContext()).FromMaybe(0));
  auto sql = verb == "begin"    ? kj::str("SAVEPOINT ", name)
             : verb == "commit" ? kj::str("RELEASE ", name)
                                : kj::str("ROLLBACK TO ", name, "; RELEASE ", name);
  s->run(isolate, sql, nullptr, SqliteDatabase::Caller::KILN);
  // A rollback may have undone the creation of the KV table.
  if (verb == "rollback")
    s->kvReady = false;
}
void ObjectInstance::txBegin(const v8::FunctionCallbackInfo<v8::Value>& info) {
  tx(info, "begin");
}
void ObjectInstance::txCommit(const v8::FunctionCallbackInfo<v8::Value>& info) {
  tx(info, "commit");
}
void ObjectInstance::txRollback(const v8::FunctionCallbackInfo<v8::Value>& info) {
  tx(info, "rollback");
}

}  // namespace kiln::storage
