#include "src/js/modules.h"

#include <gtest/gtest.h>

namespace kiln::js {
namespace {

TEST(ModuleNames, ResolvesRelativeToTheReferrer) {
  EXPECT_EQ(ModuleRegistry::resolveName("main.js", "./lib/a.js"), "lib/a.js");
  EXPECT_EQ(ModuleRegistry::resolveName("lib/a.js", "./b.js"), "lib/b.js");
  EXPECT_EQ(ModuleRegistry::resolveName("lib/deep/a.js", "../b.js"), "lib/b.js");
  EXPECT_EQ(ModuleRegistry::resolveName("a.js", "../../b.js"), "b.js");
  EXPECT_EQ(ModuleRegistry::resolveName("lib/a.js", "./x/./y/../z.js"), "lib/x/z.js");
}

TEST(ModuleNames, BareAndAbsoluteNamesAreTakenAsIs) {
  EXPECT_EQ(ModuleRegistry::resolveName("lib/a.js", "util.js"), "util.js");
  EXPECT_EQ(ModuleRegistry::resolveName("lib/a.js", "/util.js"), "util.js");
  EXPECT_EQ(ModuleRegistry::resolveName("lib/a.js", "cloudflare:workers"), "cloudflare:workers");
}

}  // namespace
}  // namespace kiln::js
