// Files compiled into the kiln binary (see tools/embed).
#pragma once

#include <kj/common.h>
#include <kj/string.h>

namespace kiln {

struct EmbeddedFile {
  const char* name;
  kj::ArrayPtr<const unsigned char> content;

  kj::StringPtr text() const {
    // The generator appends a NUL after every file, so the content is a valid C string.
    return kj::StringPtr(reinterpret_cast<const char*>(content.begin()), content.size());
  }
};

}  // namespace kiln
