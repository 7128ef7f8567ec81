#include "src/io/watchdog.h"

#include <kj/debug.h>
#include <atomic>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <time.h>
#include <vector>

namespace kiln::io {

namespace {

struct Frame {
  uint64_t id;
  v8::Isolate* isolate;
  int64_t deadlineNs;
  bool fired = false;
};

}  // namespace

// One slot per thread that ever ran supervised JavaScript; the watchdog scans them all. The
// frames are the thread's live guards, innermost last.
struct CpuGuard::Slot {
  std::mutex mutex;
  clockid_t clock;
  std::vector<Frame> frames;
  uint64_t nextId = 1;

  Frame* find(uint64_t id) {
    for (auto& frame: frames) {
      if (frame.id == id)
        return &frame;
    }
    return nullptr;
  }
};

namespace {

std::atomic<int64_t> processCeilingNs{0};
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
      if (slot->frames.empty())
        continue;
      int64_t now = nanos(slot->clock);
      for (auto& frame: slot->frames) {
        if (now > frame.deadlineNs) {
          // Again on every tick: one termination can be lost (caught by a native, canceled by
          // a nested entry's cleanup); the guard's owner stops the repeats by ending the guard.
          frame.fired = true;
          frame.isolate->TerminateExecution();
        }
      }
    }
  }
}

CpuGuard::Slot& getThreadSlot() {
  if (threadSlot == nullptr) {
    auto slot = new CpuGuard::Slot();  // Lives as long as the process: the watchdog reads it.
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

void setProcessCpuCeiling(int64_t ns) {
  processCeilingNs = ns;
}

int64_t threadCpuNanos() {
  return nanos(CLOCK_THREAD_CPUTIME_ID);
}

bool cpuLimitReached() {
  auto slot = threadSlot;
  if (slot == nullptr)
    return false;
  std::lock_guard<std::mutex> lock(slot->mutex);
  for (auto& frame: slot->frames) {
    if (frame.fired)
      return true;
  }
  return false;
}

CpuGuard::CpuGuard(v8::Isolate* isolate, int64_t budgetNs) : slot(&getThreadSlot()) {
  startNs = threadCpuNanos();
  std::lock_guard<std::mutex> lock(slot->mutex);
  frameId = slot->nextId++;
  int64_t ceiling = processCeilingNs;
  if (ceiling > 0)
    budgetNs = kj::min(budgetNs, ceiling);
  slot->frames.push_back(Frame{frameId, isolate, startNs + kj::max(budgetNs, int64_t(0))});
}

CpuGuard::~CpuGuard() noexcept(false) {
  stop();
}

void CpuGuard::stop() {
  if (endNs >= 0)
    return;
  endNs = threadCpuNanos();
  std::lock_guard<std::mutex> lock(slot->mutex);
  auto& frames = slot->frames;
  for (size_t i = 0; i < frames.size(); i++) {
    if (frames[i].id == frameId) {
      wasFired = frames[i].fired;
      frames.erase(frames.begin() + i);
      break;
    }
  }
}

int64_t CpuGuard::elapsedNs() const {
  return (endNs >= 0 ? endNs : threadCpuNanos()) - startNs;
}

bool CpuGuard::fired() const {
  if (endNs >= 0)
    return wasFired;
  std::lock_guard<std::mutex> lock(slot->mutex);
  auto frame = slot->find(frameId);
  return frame != nullptr && frame->fired;
}

}  // namespace kiln::io
