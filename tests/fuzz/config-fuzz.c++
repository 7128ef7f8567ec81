// Fuzz target: a config file's text through parsing, type checking and validation
// (ParsedConfig::load), as `kiln serve` reads one. Whatever the text, the result is a config or
// a list of file:line:col errors: never a crash, a hang or an exception escaping.

#include "src/server/config.h"

#include <kj/debug.h>
#include <unistd.h>
#include <cstdio>
#include <cstdint>
#include <cstdlib>

namespace {

kj::String scratchPath() {
  // One file per process, rewritten for each input (the parser takes a path, as the CLI does).
  return kj::str("/tmp/kiln-config-fuzz-", getpid(), ".capnp");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kj::String path = scratchPath();
  {
    FILE* f = fopen(path.cStr(), "wb");
    KJ_ASSERT(f != nullptr);
    fwrite(data, 1, size, f);
    fclose(f);
  }
  kiln::server::ConfigErrors errors;
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 auto parsed = kiln::server::ParsedConfig::load(path, nullptr, nullptr, errors);
                 // Either a config or errors: both at once, or neither, is a bug.
                 KJ_ASSERT((parsed == nullptr) != errors.empty());
               })) {
    KJ_FAIL_ASSERT("config loading threw instead of reporting an error", *exception);
  }
  return 0;
}
