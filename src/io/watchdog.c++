#include "src/io/watchdog.h"

#include <kj/debug.h>
#include <atomic>
#include <condition_variable>
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
  StackClock* clock;
  int64_t deadlineNs;  // on its stack's clock
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
  StackClock own;
  StackClock* active = &own;
  // The stack the thread runs on; only its frames are running. Written by the owning thread
  // under the mutex.

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
std::atomic<v8::InterruptCallback> sliceInterrupt{nullptr};
std::mutex slotsMutex;
std::vector<CpuGuard::Slot*>* slots = nullptr;
thread_local CpuGuard::Slot* threadSlot = nullptr;

int64_t nanos(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::atomic<int64_t> liveFrames{0};
std::mutex idleMutex;
std::condition_variable idle;

void watchdogLoop() {
  while (true) {
    {
      // Asleep while no guard exists anywhere: an idle daemon costs no wake-ups.
      std::unique_lock<std::mutex> lock(idleMutex);
      idle.wait(lock, []() { return liveFrames.load() > 0; });
    }
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
      auto active = slot->active;
      // A clock paused on its own stack (a test's forced collection) stands still.
      int64_t now =
          (active->pausedAtNs >= 0 ? active->pausedAtNs : nanos(slot->clock)) - active->excludedNs;
      Frame* first = nullptr;
      for (auto& frame: slot->frames) {
        if (frame.clock != active)
          continue;  // a suspended stack, or one waiting for the stack it started
        if (first == nullptr)
          first = &frame;
        if (now > frame.deadlineNs) {
          // Again on every tick: one termination can be lost (caught by a native, canceled by
          // a nested entry's cleanup); the guard's owner stops the repeats by ending the guard.
          frame.fired = true;
          frame.isolate->TerminateExecution();
        }
      }
      auto interrupt = sliceInterrupt.load();
      if (first != nullptr && active->sliced && active->sliceStartNs < 0)
        active->sliceStartNs = now;  // The slice began at most a tick ago.
      if (first != nullptr && active->sliced && interrupt != nullptr &&
          now - active->sliceStartNs > SLICE_NS && !active->yieldRequested.exchange(true)) {
        // The isolate that began the stack's entry is the one that can be suspended.
        first->isolate->RequestInterrupt(interrupt, nullptr);
      }
    }
  }
}

CpuGuard::Slot& getThreadSlot() {
  if (threadSlot == nullptr) {
    auto slot = new CpuGuard::Slot();  // Lives as long as the process: the watchdog reads it.
    KJ_ASSERT(pthread_getcpuclockid(pthread_self(), &slot->clock) == 0);
    std::lock_guard<std::mutex> lock(slotsMutex);
    if (slots == nullptr)
      slots = new std::vector<CpuGuard::Slot*>();
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

StackClock& threadStackClock() {
  return getThreadSlot().own;
}

void enterStack(StackClock& to, bool newSlice) {
  auto& slot = getThreadSlot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (newSlice) {
    to.sliceStartNs = -1;
    to.yieldRequested = false;
  }
  slot.active = &to;
}

void pauseStackClock(StackClock& clock) {
  auto& slot = getThreadSlot();
  int64_t now = threadCpuNanos();
  std::lock_guard<std::mutex> lock(slot.mutex);  // The watchdog reads it (above).
  clock.pausedAtNs = now;
}

StackClock& currentStackClock() {
  return *getThreadSlot().active;
}

void resumeStackClock(StackClock& clock) {
  auto& slot = getThreadSlot();
  int64_t now = threadCpuNanos();
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (clock.pausedAtNs >= 0) {
    clock.excludedNs += now - clock.pausedAtNs;
    clock.pausedAtNs = -1;
  }
}

int64_t stackCpuNanos() {
  // Only this thread writes its clocks, so reading without the lock is safe here.
  return threadCpuNanos() - getThreadSlot().active->excludedNs;
}

void setSliceInterrupt(v8::InterruptCallback callback) {
  sliceInterrupt = callback;
}

bool cpuLimitReached() {
  auto slot = threadSlot;
  if (slot == nullptr)
    return false;
  std::lock_guard<std::mutex> lock(slot->mutex);
  for (auto& frame: slot->frames) {
    if (frame.fired && frame.clock == slot->active)
      return true;
  }
  return false;
}

void startWatching() {
  static std::once_flag started;
  std::call_once(started, []() { std::thread(watchdogLoop).detach(); });
  if (liveFrames.fetch_add(1) == 0) {
    std::lock_guard<std::mutex> lock(idleMutex);
    idle.notify_one();
  }
}

CpuGuard::CpuGuard(v8::Isolate* isolate, int64_t budgetNs) : slot(&getThreadSlot()) {
  startWatching();
  clock = slot->active;
  startNs = stackCpuNanos();
  std::lock_guard<std::mutex> lock(slot->mutex);
  frameId = slot->nextId++;
  int64_t ceiling = processCeilingNs;
  if (ceiling > 0)
    budgetNs = kj::min(budgetNs, ceiling);
  slot->frames.push_back(Frame{frameId, isolate, clock, startNs + kj::max(budgetNs, int64_t(0))});
}

CpuGuard::~CpuGuard() noexcept(false) {
  stop();
}

void CpuGuard::stop() {
  if (endNs >= 0)
    return;
  endNs = stackCpuNanos();
  std::lock_guard<std::mutex> lock(slot->mutex);
  auto& frames = slot->frames;
  for (size_t i = 0; i < frames.size(); i++) {
    if (frames[i].id == frameId) {
      wasFired = frames[i].fired;
      frames.erase(frames.begin() + i);
      liveFrames.fetch_sub(1);
      break;
    }
  }
}

int64_t CpuGuard::elapsedNs() const {
  return (endNs >= 0 ? endNs : stackCpuNanos()) - startNs;
}

bool CpuGuard::fired() const {
  if (endNs >= 0)
    return wasFired;
  std::lock_guard<std::mutex> lock(slot->mutex);
  auto frame = slot->find(frameId);
  return frame != nullptr && frame->fired;
}

}  // namespace kiln::io
