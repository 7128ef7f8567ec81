// Reading and checking a config file. Every problem is reported as `file:line:col: message`.
#pragma once

#include "config-schema/workerd.capnp.h"

#include <capnp/schema-parser.h>
#include <kj/map.h>
#include <kj/string.h>
#include <kj/vector.h>

namespace kiln::server {

class ConfigErrors {
 public:
  void add(kj::String error) { errors.add(kj::mv(error)); }
  bool empty() const { return errors.size() == 0; }
  kj::ArrayPtr<const kj::String> list() const { return errors; }

 private:
  kj::Vector<kj::String> errors;
};

class ParsedConfig {
 public:
  static kj::Maybe<kj::Own<ParsedConfig>> load(kj::StringPtr path,
                                               kj::Maybe<kj::StringPtr> constName,
                                               kj::ArrayPtr<const kj::String> socketOverrides,
                                               ConfigErrors& errors);
  // Parses, type-checks and validates. Null (with errors) on any problem. socketOverrides are
  // "NAME=HOST:PORT" strings from the command line.

  config::Config::Reader get() const { return root; }
  kj::StringPtr getPath() const { return path; }

  kj::String locate(kj::StringPtr quotedValue, kj::StringPtr message) const;
  // "file:line:col: message", pointing at the first place the config (or a file it embeds)
  // spells `"quotedValue"`, else at the top of the file. Semantic errors use it, since parsed
  // values no longer carry source positions.

  kj::StringPtr socketAddress(config::Socket::Reader socket) const;

  ParsedConfig(kj::String path, kj::String text);
  ~ParsedConfig() noexcept(false);

 private:
  kj::String path;
  kj::String text;
  capnp::SchemaParser parser;
  config::Config::Reader root;
  kj::HashMap<kj::String, kj::String> socketOverrides;

  void validate(ConfigErrors& errors) const;
};

bool parseHostPort(kj::StringPtr address, kj::String& host, unsigned& port);
// "host:port", "*:port" or "[v6]:port". False when malformed.

}  // namespace kiln::server
