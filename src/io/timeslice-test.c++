// Tests for time slices without V8: bodies on their own stacks, suspended and resumed by the
// loop, canceled when dropped, finished on demand.

#include "src/io/timeslice.h"

#include <gtest/gtest.h>
#include <cstring>
#include <kj/async-io.h>
#include <kj/debug.h>
#include <kj/vector.h>

namespace kiln::io::slices {
namespace {

struct Loop {
  kj::AsyncIoContext io = kj::setupAsyncIo();
  kj::Timer& timer() { return io.provider->getTimer(); }
};

TEST(Timeslice, ABodyThatDoesNotSuspendRunsAtOnce) {
  Loop loop;
  bool ran = false;
  const void* outside = stackKey();
  const void* inside = nullptr;
  auto promise = run(loop.timer(), [&]() {
    ran = true;
    inside = stackKey();
    EXPECT_TRUE(current() != nullptr);
  });
  EXPECT_TRUE(ran);
  EXPECT_NE(inside, outside);  // It ran on a stack of its own.
  EXPECT_TRUE(current() == nullptr);
  EXPECT_TRUE(promise.poll(loop.io.waitScope));
  promise.wait(loop.io.waitScope);
}

TEST(Timeslice, SuspendedBodiesResumeInTurnAfterThePollAndFinish) {
  Loop loop;
  kj::Vector<kj::String> events;
  auto body = [&](const char* name) {
    return [&events, name]() {
      for (int i = 0; i < 3; i++) {
        events.add(kj::str(name, i));
        EXPECT_TRUE(suspend());
      }
      events.add(kj::str(name, "done"));
    };
  };
  auto a = run(loop.timer(), body("a"));
  auto b = run(loop.timer(), body("b"));
  // Both ran to their first suspension, synchronously, and returned.
  EXPECT_EQ(kj::strArray(events, ","), "a0,b0");
  a.wait(loop.io.waitScope);
  b.wait(loop.io.waitScope);
  // One resumes per poll, so they alternate.
  EXPECT_EQ(kj::strArray(events, ","), "a0,b0,a1,b1,a2,b2,adone,bdone");
}

TEST(Timeslice, DroppingASuspendedBodyCancelsItAndWaitsForItToUnwind) {
  Loop loop;
  kj::Vector<bool> resumed;
  bool ended = false;
  {
    auto promise = run(loop.timer(), [&]() {
      resumed.add(suspend());
      resumed.add(suspend());  // Canceled: does not park again.
      ended = true;
    });
    EXPECT_FALSE(ended);
  }
  // Dropping the promise ran the body to its end, now.
  EXPECT_TRUE(ended);
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_FALSE(resumed[0]);
  EXPECT_FALSE(resumed[1]);
}

TEST(Timeslice, FinishRunsASuspendedBodyToItsEndWithoutFurtherSuspensions) {
  Loop loop;
  kj::Maybe<slices::Run&> parked;
  int steps = 0;
  auto promise = run(loop.timer(), [&]() {
    parked = current();
    EXPECT_TRUE(suspend());
    ++steps;
    EXPECT_TRUE(suspend());  // Returns at once while finishing.
    ++steps;
  });
  EXPECT_EQ(steps, 0);
  finish(KJ_ASSERT_NONNULL(parked));
  EXPECT_EQ(steps, 2);
  promise.wait(loop.io.waitScope);
}

TEST(Timeslice, ABodysExceptionRejectsItsPromise) {
  Loop loop;
  auto early = run(loop.timer(), []() { KJ_FAIL_ASSERT("before suspending"); });
  auto late = run(loop.timer(), []() {
    suspend();
    KJ_FAIL_ASSERT("after suspending");
  });
  auto message = [&](kj::Promise<void>& promise) -> kj::String {
    KJ_IF_MAYBE (e, kj::runCatchingExceptions([&]() { promise.wait(loop.io.waitScope); })) {
      return kj::str(e->getDescription());
    }
    return kj::str("no exception");
  };
  EXPECT_NE(strstr(message(early).cStr(), "before suspending"), nullptr);
  EXPECT_NE(strstr(message(late).cStr(), "after suspending"), nullptr);
}

TEST(Timeslice, BodiesNestAndStacksAreReused) {
  Loop loop;
  const void* first = nullptr;
  const void* inner = nullptr;
  auto outer = run(loop.timer(), [&]() {
    first = stackKey();
    // A body started from a body (a parent's native calling into a child) gets its own stack,
    // and its suspension returns to the outer body, not to the loop.
    auto child = run(loop.timer(), [&]() {
      inner = stackKey();
      suspend();
    });
    EXPECT_TRUE(stackKey() == first);
    child.wait(loop.io.waitScope);
  });
  outer.wait(loop.io.waitScope);
  EXPECT_NE(first, inner);
  const void* again = nullptr;
  run(loop.timer(), [&]() { again = stackKey(); }).wait(loop.io.waitScope);
  EXPECT_TRUE(again != nullptr);
}

}  // namespace
}  // namespace kiln::io::slices
