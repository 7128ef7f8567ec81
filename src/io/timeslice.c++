#include "src/io/timeslice.h"

#include "src/js/stack.h"

#include <kj/debug.h>
#include <kj/vector.h>
#include <sys/mman.h>
#include <ucontext.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KILN_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KILN_ASAN 1
#endif
#ifdef KILN_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace kiln::io::slices {

namespace {

constexpr size_t STACK_BYTES = 2 * 1024 * 1024;
// Mapped lazily: a body uses only the pages it touches. JavaScript may take V8's usual 984 KiB;
// the rest is for the C++ below and above it.
constexpr size_t GUARD_BYTES = 64 * 1024;
constexpr uintptr_t JS_STACK_BYTES = 984 * 1024;
constexpr size_t MAX_FREE_STACKS = 8;

void trampoline(int high, int low);

struct Stack {
  // A call stack with an inaccessible guard region at its low end, and a trampoline parked on
  // it that runs one body after another.
  void* memory;
  ucontext_t context;
  Run* run = nullptr;
  ucontext_t* resumer = nullptr;  // where leave() goes back to
  const void* resumerBottom = nullptr;
  size_t resumerSize = 0;

  Stack() {
    memory = mmap(nullptr, STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    KJ_SYSCALL(memory == MAP_FAILED ? -1 : 0, "mmap of a JavaScript stack");
    KJ_SYSCALL(mprotect(memory, GUARD_BYTES, PROT_NONE));
    KJ_SYSCALL(getcontext(&context));
    context.uc_stack.ss_sp = low();
    context.uc_stack.ss_size = size();
    context.uc_link = nullptr;
    auto self = reinterpret_cast<uintptr_t>(this);
    makecontext(&context, reinterpret_cast<void (*)()>(&trampoline), 2, int(self >> 32),
                int(self & 0xffffffff));
  }
  ~Stack() { munmap(memory, STACK_BYTES); }
  KJ_DISALLOW_COPY(Stack);

  char* low() { return static_cast<char*>(memory) + GUARD_BYTES; }
  size_t size() { return STACK_BYTES - GUARD_BYTES; }
  uintptr_t jsLimit() { return reinterpret_cast<uintptr_t>(memory) + STACK_BYTES - JS_STACK_BYTES; }

  void enter(ucontext_t& here) {
    // From the resumer's side: run on this stack until it leaves.
    resumer = &here;
#ifdef KILN_ASAN
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, low(), size());
#endif
    KJ_SYSCALL(swapcontext(&here, &context));
#ifdef KILN_ASAN
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  }

  void leave() {
    // From this stack: back to whoever entered it last; returns when entered again.
#ifdef KILN_ASAN
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, resumerBottom, resumerSize);
#endif
    KJ_SYSCALL(swapcontext(&context, resumer));
#ifdef KILN_ASAN
    __sanitizer_finish_switch_fiber(fake, &resumerBottom, &resumerSize);
#endif
  }
};

struct ThreadState {
  Run* current = nullptr;
  kj::Vector<kj::Own<Stack>> free;
  kj::Maybe<kj::TimePoint> lastTurn;
};

thread_local ThreadState threadState;

}  // namespace

class Run {
 public:
  Run(kj::Timer& timer, kj::Function<void()> body) : timer(timer), body(kj::mv(body)) {
    auto& free = threadState.free;
    if (free.size() > 0) {
      stack = kj::mv(free.back());
      free.removeLast();
    } else {
      stack = kj::heap<Stack>();
    }
    stack->run = this;
    clock.sliced = true;
  }

  ~Run() noexcept(false) {
    KJ_ASSERT(state == State::DONE, "a JavaScript stack was dropped while in use") {
      return;
    }
    stack->run = nullptr;
    if (threadState.free.size() < MAX_FREE_STACKS)
      threadState.free.add(kj::mv(stack));
  }
  KJ_DISALLOW_COPY(Run);

  enum class State { RUNNING, PARKED, DONE };
  State state = State::RUNNING;
  bool canceled = false;
  bool finishing = false;
  kj::Timer& timer;
  kj::Maybe<kj::Function<void()>> body;
  kj::Maybe<kj::Exception> failure;
  kj::Own<Stack> stack;
  StackClock clock;
  int nativeDepth = 0;

  void switchIn() {
    // Runs this body from where it stands until it parks or ends, then comes back here.
    auto previous = threadState.current;
    threadState.current = this;
    int outerNatives = js::nativeDepth;
    js::nativeDepth = nativeDepth;
    js::setStackLimit(stack->jsLimit());
    if (state == State::PARKED)
      resumeStackClock(clock);
    enterStack(clock, true);
    ucontext_t here;
    stack->enter(here);
    nativeDepth = js::nativeDepth;
    js::nativeDepth = outerNatives;
    threadState.current = previous;
    js::setStackLimit(previous != nullptr ? previous->stack->jsLimit() : 0);
    if (state == State::PARKED)
      pauseStackClock(clock);
    enterStack(previous != nullptr ? previous->clock : threadStackClock(), false);
  }

  kj::Promise<void> outcome() {
    KJ_IF_MAYBE (e, failure) {
      return kj::mv(*e);
    }
    return kj::READY_NOW;
  }
};

namespace {

void trampoline(int high, int low) {
  auto stack = reinterpret_cast<Stack*>((uintptr_t(uint32_t(high)) << 32) | uint32_t(low));
#ifdef KILN_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &stack->resumerBottom, &stack->resumerSize);
#endif
  for (;;) {
    auto run = stack->run;
    KJ_IF_MAYBE (body, run->body) {
      KJ_IF_MAYBE (e, kj::runCatchingExceptions([&]() { (*body)(); })) {
        run->failure = kj::mv(*e);
      }
    }
    // The body's captures go now, on the stack they were used on.
    run->body = nullptr;
    run->state = Run::State::DONE;
    stack->leave();
  }
}

struct Handle {
  // Owns a body that has suspended at least once. Dropped while the body is parked (its caller
  // went away), it cancels the body and waits for its JavaScript to unwind.
  kj::Own<Run> run;
  explicit Handle(kj::Own<Run> run) : run(kj::mv(run)) {}
  ~Handle() noexcept(false) {
    if (run->state == Run::State::PARKED)
      cancel(*run);
  }
  KJ_DISALLOW_COPY(Handle);
};

kj::Promise<void> waitTurn(kj::Timer& timer) {
  // A zero timer fires only after the loop has polled for I/O; of the bodies whose timers fire
  // in one poll, the first goes and the others wait for the next poll.
  return timer.afterDelay(0 * kj::NANOSECONDS).then([&timer]() -> kj::Promise<void> {
    auto now = timer.now();
    KJ_IF_MAYBE (last, threadState.lastTurn) {
      if (*last == now)
        return waitTurn(timer);
    }
    threadState.lastTurn = now;
    return kj::READY_NOW;
  });
}

kj::Promise<void> drive(kj::Own<Handle> handle) {
  auto& timer = handle->run->timer;
  return waitTurn(timer).then([handle = kj::mv(handle)]() mutable -> kj::Promise<void> {
    auto& run = *handle->run;
    if (run.state == Run::State::PARKED)
      run.switchIn();
    if (run.state == Run::State::DONE)
      return run.outcome();
    return drive(kj::mv(handle));
  });
}

}  // namespace

kj::Promise<void> run(kj::Timer& timer, kj::Function<void()> body) {
  auto run = kj::heap<Run>(timer, kj::mv(body));
  run->switchIn();
  if (run->state == Run::State::DONE)
    return run->outcome();
  return drive(kj::heap<Handle>(kj::mv(run)));
}

kj::Maybe<Run&> current() {
  if (threadState.current == nullptr)
    return nullptr;
  return *threadState.current;
}

const void* stackKey() {
  if (threadState.current == nullptr)
    return &threadState;
  return threadState.current;
}

bool suspend() {
  auto run = threadState.current;
  KJ_REQUIRE(run != nullptr, "suspend() outside a JavaScript stack");
  if (run->canceled)
    return false;
  if (run->finishing)
    return true;
  run->state = Run::State::PARKED;
  run->stack->leave();
  run->state = Run::State::RUNNING;
  return !run->canceled;
}

void declineYield() {
  KJ_IF_MAYBE (run, current()) {
    run->clock.yieldRequested = false;
  }
}

void finish(Run& run) {
  KJ_REQUIRE(run.state == Run::State::PARKED);
  run.finishing = true;
  run.switchIn();
  KJ_ASSERT(run.state == Run::State::DONE);
}

void cancel(Run& run) {
  KJ_REQUIRE(run.state == Run::State::PARKED);
  run.canceled = true;
  run.switchIn();
  KJ_ASSERT(run.state == Run::State::DONE);
}

}  // namespace kiln::io::slices
