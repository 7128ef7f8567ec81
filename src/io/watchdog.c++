#include "src/io/watchdog.h"

#include <kj/debug.h>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <time.h>
#include <vector>

namespace kiln::io {

// One slot per thread that ever ran supervised JavaScript; the watchdog scans them all.
struct CpuGuard::Slot {
  std::mutex mutex;
  clockid_t clock;
  v8::Isolate* isolate = nullptr;  // Non-null while supervised.
  int64_t deadlineNs = 0;
  bool fired = false;
};

namespace {

std::mutex slotsMutex;
std::vector<CpuGuard::Slot*>* slots = nullptr;
thread_local CpuGuard::Slot* threadSlot = nullptr;

int64_t nanos(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void watchdogLoop() {
  while (true) {
    // 1 ms granularity: a CPU limit is enforced to within a millisecond or two.
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, nullptr);
    std::vector<CpuGuard::Slot*> snapshot;
    {
      std::lock_guard<std::mutex> lock(slotsMutex);
      snapshot = *slots;
    }
    for (auto slot: snapshot) {
      std::lock_guard<std::mutex> lock(slot->mutex);
      if (slot->isolate != nullptr && !slot->fired && nanos(slot->clock) > slot->deadlineNs) {
        slot->fired = true;
        slot->isolate->TerminateExecution();
      }
    }
  }
}

CpuGuard::Slot& getThreadSlot() {
  if (threadSlot == nullptr) {
    auto slot = new CpuGuard::Slot();
    KJ_ASSERT(pthread_getcpuclockid(pthread_self(), &slot->clock) == 0);
    std::lock_guard<std::mutex> lock(slotsMutex);
    if (slots == nullptr) {
      slots = new std::vector<CpuGuard::Slot*>();
      std::thread(watchdogLoop).detach();
    }
    slots->push_back(slot);
    threadSlot = slot;
  }
  return *threadSlot;
}

}  // namespace

int64_t threadCpuNanos() {
  return nanos(CLOCK_THREAD_CPUTIME_ID);
}

bool cpuLimitReached() {
  auto slot = threadSlot;
  if (slot == nullptr)
    return false;
  std::lock_guard<std::mutex> lock(slot->mutex);
  return slot->isolate != nullptr && slot->fired;
}

CpuGuard::CpuGuard(v8::Isolate* isolate, int64_t budgetNs) : slot(&getThreadSlot()) {
  startNs = threadCpuNanos();
  std::lock_guard<std::mutex> lock(slot->mutex);
  slot->isolate = isolate;
  slot->deadlineNs = startNs + budgetNs;
  slot->fired = false;
}

CpuGuard::~CpuGuard() noexcept(false) {
  stop();
}

void CpuGuard::stop() {
  if (endNs >= 0)
    return;
  endNs = threadCpuNanos();
  std::lock_guard<std::mutex> lock(slot->mutex);
  slot->isolate = nullptr;
  wasFired = slot->fired;
}

int64_t CpuGuard::elapsedNs() const {
  return (endNs >= 0 ? endNs : threadCpuNanos()) - startNs;
}

bool CpuGuard::fired() const {
  if (endNs >= 0)
    return wasFired;
  std::lock_guard<std::mutex> lock(slot->mutex);
  return slot->fired;
}

}  // namespace kiln::io
