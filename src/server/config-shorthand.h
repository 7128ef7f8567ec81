// workerd's configs write a service designator as a bare string (`service = "main"`), relying
// on newer Cap'n Proto compilers that accept a string for a struct whose first field is Text.
// Debian's capnp 0.9 rejects that, so kiln rewrites those spots before parsing.
#pragma once

#include <kj/string.h>

namespace kiln::server {

kj::String expandStringShorthands(kj::StringPtr text);
// `service = "x"` -> `service = (name = "x")`, likewise for the other designator fields and for
// list elements of `tails = [...]`; `durableObjectNamespace = "C"` -> `(className = "C")`.
// Strings and comments are left alone and no line breaks are added, so line numbers in errors
// stay right.

}  // namespace kiln::server
