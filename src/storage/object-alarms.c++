// Alarms: the time lives in the object's own database (_cf_METADATA), so it survives restarts;
// a timer on the worker's clock delivers it through the input gate, with retries.

#include "src/storage/object.h"

#include <cmath>
#include <unistd.h>

namespace kiln::storage {

void ObjectInstance::restoreAlarm() {
  // Only a database that outlives instances can hold an alarm: an object's file, or the in-memory
  // database a facet slot keeps across aborts. Nothing is created when there is none.
  KJ_IF_MAYBE (prefix, spec.filePrefix) {
    if (access(kj::str(*prefix, ".sqlite").cStr(), F_OK) != 0)
      return;
  } else if (spec.memoryDb == nullptr) {
    return;
  }
  KJ_IF_MAYBE (database, openDatabase()) {
    auto result =
        database->exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_cf_METADATA'",
                       nullptr, SqliteDatabase::Caller::KILN);
    if (!result.is<SqlResult>() || result.get<SqlResult>().rows.size() == 0)
      return;
  }
  KJ_IF_MAYBE (time, readAlarm()) {
    scheduleAlarm(*time, 0);
  }
}

kj::Maybe<double> ObjectInstance::readAlarm() {
  KJ_IF_MAYBE (database, openDatabase()) {
    database->exec("CREATE TABLE IF NOT EXISTS _cf_METADATA (key TEXT PRIMARY KEY, value)", nullptr,
                   SqliteDatabase::Caller::KILN);
    auto result = database->exec("SELECT value FROM _cf_METADATA WHERE key = 'alarm'", nullptr,
                                 SqliteDatabase::Caller::KILN);
    if (result.is<SqlResult>() && result.get<SqlResult>().rows.size() == 1) {
      auto& v = result.get<SqlResult>().rows[0][0];
      return v.type == SqlValue::Type::REAL ? v.real : double(v.integer);
    }
  }
  return nullptr;
}

void ObjectInstance::writeAlarm(kj::Maybe<double> time) {
  KJ_IF_MAYBE (database, openDatabase()) {
    database->exec("CREATE TABLE IF NOT EXISTS _cf_METADATA (key TEXT PRIMARY KEY, value)", nullptr,
                   SqliteDatabase::Caller::KILN);
    KJ_IF_MAYBE (t, time) {
      SqlValue v;
      v.type = SqlValue::Type::REAL;
      v.real = *t;
      database->exec(
          "INSERT INTO _cf_METADATA VALUES ('alarm', ?) "
          "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
          kj::arrayPtr(&v, 1), SqliteDatabase::Caller::KILN);
    } else {
      database->exec("DELETE FROM _cf_METADATA WHERE key = 'alarm'", nullptr,
                     SqliteDatabase::Caller::KILN);
    }
  }
}

void ObjectInstance::scheduleAlarm(double timeMs, unsigned retry) {
  KJ_IF_MAYBE (worker, spec.getWorker()) {
    alarmScheduled = true;
    uint64_t generation = ++alarmGeneration;
    // JS timers' clock: the frozen wall time and the monotonic instant taken with it, so the
    // alarm fires at or after its time in what Date.now() will say (rounded up, never early).
    double delay = kj::max(timeMs - js::frozenNowMillis(), 0.0);
    auto& timer = worker->getTimer();
    alarmTasks.add(timer.atTime(js::frozenMonotonic() + uint64_t(ceil(delay)) * kj::MILLISECONDS)
                       .then([this, generation, timeMs, retry]() -> kj::Promise<void> {
                         if (generation != alarmGeneration)
                           return kj::READY_NOW;
                         return fireAlarm(timeMs, retry);
                       }));
  }
}

kj::Promise<void> ObjectInstance::fireAlarm(double timeMs, unsigned retry) {
  KJ_IF_MAYBE (worker, spec.getWorker()) {
    auto info =
        kj::str("[{\"retryCount\":", retry, ",\"isRetry\":", retry > 0 ? "true" : "false", "}]");
    uint64_t generation = alarmGeneration;
    auto& w = *worker;
    // Alarms enter through the input gate like any other event.
    auto admission = admit();
    return admission.turn
        .then([this, &w, timeMs, info = kj::mv(info),
               started = kj::mv(admission.started)]() mutable -> kj::Promise<kj::String> {
          eventStarted();
          runningAlarm = timeMs;
          auto result = w.handleJsonCall(nullptr, nullptr, kj::str("alarm"), kj::mv(info),
                                         w.getCallbackLimits(), *this)
                            .attach(kj::defer([this]() {
                              runningAlarm = nullptr;
                              eventFinished();
                            }));
          started->fulfill();
          return result;
        })
        .then(
            [this, timeMs, generation](kj::String) {
              // Done, unless the handler set a new alarm meanwhile.
              if (generation == alarmGeneration) {
                KJ_IF_MAYBE (current, readAlarm()) {
                  if (*current == timeMs)
                    writeAlarm(nullptr);
                }
                alarmScheduled = readAlarm() != nullptr;
              }
            },
            [this, timeMs, retry, generation](kj::Exception&& e) {
              if (generation != alarmGeneration)
                return;
              if (retry + 1 < MAX_ALARM_RETRIES) {
                // Exponential backoff from ALARM_BACKOFF_MS; the alarm stays stored meanwhile.
                scheduleAlarm(js::frozenNowMillis() + ALARM_BACKOFF_MS * (1u << retry), retry + 1);
              } else {
                writeAlarm(nullptr);
                alarmScheduled = false;
              }
            });
  }
  return kj::READY_NOW;
}

void ObjectInstance::getAlarm(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  KJ_IF_MAYBE (t, s->readAlarm()) {
    // The alarm being delivered is not pending any more (unless alarm() sets it again).
    KJ_IF_MAYBE (running, s->runningAlarm) {
      if (*running == *t) {
        info.GetReturnValue().SetNull();
        return;
      }
    }
    info.GetReturnValue().Set(*t);
  } else {
    info.GetReturnValue().SetNull();
  }
}

void ObjectInstance::setAlarm(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  auto isolate = info.GetIsolate();
  double time = info[0]->NumberValue(isolate->GetCurrentContext()).FromMaybe(NAN);
  if (!(time == time)) {
    js::throwTypeError(isolate, "setAlarm() takes a Date or milliseconds since the epoch.");
    return;
  }
  s->writeAlarm(time);
  s->scheduleAlarm(time, 0);
}

void ObjectInstance::deleteAlarm(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto s = self(info);
  if (s == nullptr)
    return;
  ++s->alarmGeneration;
  s->alarmScheduled = false;
  s->writeAlarm(nullptr);
}

}  // namespace kiln::storage
