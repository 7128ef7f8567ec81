#include "src/api/natives.h"

#include <gtest/gtest.h>
#include <kj/vector.h>

namespace kiln::api {
namespace {

bool valid(std::initializer_list<int> bytes) {
  kj::Vector<kj::byte> v;
  for (int b: bytes)
    v.add(b);
  return isValidUtf8(v);
}

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(valid({}));
  EXPECT_TRUE(valid({'a', 'b'}));
  EXPECT_TRUE(valid({0xC3, 0xA9}));              // é
  EXPECT_TRUE(valid({0xE2, 0x82, 0xAC}));        // €
  EXPECT_TRUE(valid({0xF0, 0x9F, 0x98, 0x80}));  // 😀
}

TEST(Utf8, RejectsMalformedText) {
  EXPECT_FALSE(valid({0x80}));                    // lone continuation
  EXPECT_FALSE(valid({0xC3}));                    // truncated
  EXPECT_FALSE(valid({0xC0, 0xAF}));              // overlong '/'
  EXPECT_FALSE(valid({0xED, 0xA0, 0x80}));        // UTF-16 surrogate
  EXPECT_FALSE(valid({0xF4, 0x90, 0x80, 0x80}));  // past U+10FFFF
  EXPECT_FALSE(valid({0xFF}));
}

}  // namespace
}  // namespace kiln::api
