#include "src/server/config-shorthand.h"
#include "src/server/config.h"

#include <gtest/gtest.h>
#include <kj/debug.h>
#include <fstream>
#include <unistd.h>

namespace kiln::server {
namespace {

TEST(ConfigShorthand, WrapsDesignatorStrings) {
  EXPECT_EQ(expandStringShorthands("(service = \"main\")"), "(service = (name = \"main\"))");
  EXPECT_EQ(expandStringShorthands("globalOutbound=\"net\","), "globalOutbound=(name = \"net\"),");
  EXPECT_EQ(expandStringShorthands("durableObjectNamespace = \"Counter\""),
            "durableObjectNamespace = (className = \"Counter\")");
  EXPECT_EQ(expandStringShorthands("tails = [\"a\", (name = \"b\"), \"c\"]"),
            "tails = [(name = \"a\"), (name = \"b\"), (name = \"c\")]");
}

TEST(ConfigShorthand, LeavesEverythingElseAlone) {
  // Already-structured designators, other fields, strings and comments.
  kj::StringPtr cases[] = {
      "service = (name = \"x\", entrypoint = \"y\")",
      "name = \"service = \\\"not me\\\"\"",
      "# service = \"in a comment\"\nx = 1",
      "myservice = \"x\"",
      "service = .someConst",
  };
  for (auto c: cases)
    EXPECT_EQ(expandStringShorthands(c), c) << c.cStr();
}

TEST(ConfigShorthand, KeepsLineNumbers) {
  auto out = expandStringShorthands("a\nservice =\n  \"x\"\nb");
  EXPECT_EQ(out, "a\nservice =\n  (name = \"x\")\nb");
}

TEST(ConfigAddress, ParsesHostPort) {
  kj::String host;
  unsigned port;
  ASSERT_TRUE(parseHostPort("127.0.0.1:8080", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080u);
  ASSERT_TRUE(parseHostPort("*:0", host, port));
  EXPECT_EQ(host, "*");
  ASSERT_TRUE(parseHostPort("[::1]:443", host, port));
  EXPECT_EQ(host, "[::1]");
  EXPECT_FALSE(parseHostPort("127.0.0.1", host, port));
  EXPECT_FALSE(parseHostPort("127.0.0.1:65536", host, port));
  EXPECT_FALSE(parseHostPort("::1:80", host, port));
  EXPECT_FALSE(parseHostPort(":80", host, port));
  EXPECT_FALSE(parseHostPort("host:8o", host, port));
}

class ConfigFileTest : public testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/kiln-config-test-XXXXXX";
    dir = kj::str(mkdtemp(templ));
  }
  void TearDown() override { (void)system(kj::str("rm -rf ", dir).cStr()); }

  kj::String write(kj::StringPtr name, kj::StringPtr text) {
    auto path = kj::str(dir, "/", name);
    std::ofstream(path.cStr()) << text.cStr();
    return path;
  }

  kj::String dir;
};

TEST_F(ConfigFileTest, LoadsWorkerdStyleConfig) {
  write("w.js", "export default {}");
  auto path = write("c.capnp",
                    "using Workerd = import \"/workerd/workerd.capnp\";\n"
                    "const config :Workerd.Config = (\n"
                    "  services = [(name = \"a\", worker = (modules = [(name = \"w.js\", "
                    "esModule = embed \"w.js\")], compatibilityDate = \"2024-01-01\"))],\n"
                    "  sockets = [(name = \"http\", address = \"*:8080\", http = (), "
                    "service = \"a\")],\n"
                    ");\n");
  ConfigErrors errors;
  auto config = ParsedConfig::load(path, nullptr, nullptr, errors);
  for (auto& e: errors.list())
    ADD_FAILURE() << e.cStr();
  KJ_IF_MAYBE (c, config) {
    auto root = (*c)->get();
    ASSERT_EQ(root.getServices().size(), 1u);
    EXPECT_EQ(root.getServices()[0].getWorker().getModules()[0].getEsModule(), "export default {}");
    EXPECT_EQ(root.getSockets()[0].getService().getName(), "a");
    EXPECT_EQ(root.getServices()[0].getWorker().getGlobalOutbound().getName(), "internet");
  } else {
    FAIL() << "config did not load";
  }
}

TEST_F(ConfigFileTest, ReportsEveryProblemWithLocation) {
  auto path =
      write("c.capnp",
            "using Workerd = import \"/workerd/workerd.capnp\";\n"
            "const config :Workerd.Config = (\n"
            "  services = [\n"
            "    (name = \"a\", worker = (modules = [(name = \"m.js\", esModule = \"\")],\n"
            "      compatibilityDate = \"2024-01-01\",\n"
            "      bindings = [(name = \"X\", service = \"ghost\")])),\n"
            "    (name = \"a\", network = ()),\n"
            "  ],\n"
            "  sockets = [(name = \"s\", address = \"nope\", http = (), service = \"a\")],\n"
            ");\n");
  ConfigErrors errors;
  EXPECT_EQ(ParsedConfig::load(path, nullptr, nullptr, errors), nullptr);
  auto all = kj::strArray(errors.list(), "\n");
  EXPECT_NE(strstr(all.cStr(), kj::str(path, ":6:").cStr()), nullptr) << all.cStr();
  EXPECT_NE(strstr(all.cStr(), "unknown service \"ghost\""), nullptr) << all.cStr();
  EXPECT_NE(strstr(all.cStr(), "duplicate service name \"a\""), nullptr) << all.cStr();
  EXPECT_NE(strstr(all.cStr(), kj::str(path, ":9:").cStr()), nullptr) << all.cStr();
  EXPECT_NE(strstr(all.cStr(), "address \"nope\" is not host:port"), nullptr) << all.cStr();
}

TEST_F(ConfigFileTest, SocketOverrideMustNameASocket) {
  auto path =
      write("c.capnp",
            "using Workerd = import \"/workerd/workerd.capnp\";\n"
            "const config :Workerd.Config = (services = [(name = \"n\", network = ())]);\n");
  ConfigErrors errors;
  kj::String overrides[] = {kj::str("web=127.0.0.1:1")};
  EXPECT_EQ(ParsedConfig::load(path, nullptr, overrides, errors), nullptr);
  ASSERT_EQ(errors.list().size(), 1u);
  EXPECT_NE(strstr(errors.list()[0].cStr(), "--socket-addr web=127.0.0.1:1"), nullptr);
}

TEST_F(ConfigFileTest, NoConfigConstant) {
  auto path = write("c.capnp",
                    "using Workerd = import \"/workerd/workerd.capnp\";\n"
                    "const x :Text = \"hi\";\n");
  ConfigErrors errors;
  EXPECT_EQ(ParsedConfig::load(path, nullptr, nullptr, errors), nullptr);
  ASSERT_EQ(errors.list().size(), 1u);
  EXPECT_NE(strstr(errors.list()[0].cStr(), "no constant of type Workerd.Config"), nullptr);
}

}  // namespace
}  // namespace kiln::server
