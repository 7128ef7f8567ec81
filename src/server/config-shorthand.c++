#include "src/server/config-shorthand.h"

#include <kj/vector.h>

namespace kiln::server {
namespace {

struct Shorthand {
  const char* field;
  const char* wrapAs;
  bool list;
};

const Shorthand SHORTHANDS[] = {
    {"service", "name", false},
    {"globalOutbound", "name", false},
    {"tails", "name", true},
    {"streamingTails", "name", true},
    {"durableObjectNamespace", "className", false},
};

bool isIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class Rewriter {
 public:
  explicit Rewriter(kj::StringPtr text) : text(text) {}

  kj::String run() {
    while (pos < text.size()) {
      char c = text[pos];
      if (c == '#') {
        copyUntilLineEnd();
      } else if (c == '"') {
        copyString();
      } else if (isIdentChar(c) && (pos == 0 || !isIdentChar(text[pos - 1]))) {
        size_t start = pos;
        while (pos < text.size() && isIdentChar(text[pos]))
          ++pos;
        auto word = kj::heapString(text.slice(start, pos));
        out.addAll(word);
        for (auto& s: SHORTHANDS) {
          if (word == s.field) {
            rewriteValue(s);
            break;
          }
        }
      } else {
        out.add(c);
        ++pos;
      }
    }
    out.add('\0');
    return kj::String(out.releaseAsArray());
  }

 private:
  kj::StringPtr text;
  size_t pos = 0;
  kj::Vector<char> out;

  void copyUntilLineEnd() {
    while (pos < text.size() && text[pos] != '\n')
      out.add(text[pos++]);
  }

  void copyString() {
    out.add(text[pos++]);
    while (pos < text.size()) {
      char c = text[pos++];
      out.add(c);
      if (c == '\\' && pos < text.size()) {
        out.add(text[pos++]);
      } else if (c == '"' || c == '\n') {
        break;
      }
    }
  }

  void copySpace() {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
      out.add(text[pos++]);
    }
  }

  void wrapString(const Shorthand& s) {
    out.addAll(kj::str("(", s.wrapAs, " = "));
    copyString();
    out.add(')');
  }

  void rewriteValue(const Shorthand& s) {
    copySpace();
    if (pos >= text.size() || text[pos] != '=')
      return;
    out.add(text[pos++]);
    copySpace();
    if (pos >= text.size())
      return;
    if (!s.list) {
      if (text[pos] == '"')
        wrapString(s);
      return;
    }
    if (text[pos] != '[')
      return;
    out.add(text[pos++]);
    // Wrap each bare string element; anything else in the list is copied as written.
    int depth = 0;
    while (pos < text.size()) {
      copySpace();
      if (pos >= text.size())
        return;
      char c = text[pos];
      if (c == '"') {
        if (depth == 0) {
          wrapString(s);
        } else {
          copyString();
        }
        continue;
      }
      if (c == '#') {
        copyUntilLineEnd();
        continue;
      }
      out.add(c);
      ++pos;
      if (c == '(' || c == '[') {
        ++depth;
      } else if (c == ')') {
        --depth;
      } else if (c == ']') {
        if (depth == 0)
          return;
        --depth;
      }
    }
  }
};

}  // namespace

kj::String expandStringShorthands(kj::StringPtr text) {
  return Rewriter(text).run();
}

}  // namespace kiln::server
