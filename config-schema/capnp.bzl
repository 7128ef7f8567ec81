"""kiln_capnp_library: C++ classes for a schema, generated with Debian's capnp compiler."""

def kiln_capnp_library(name, src, deps):
    native.genrule(
        name = name + "_gen",
        srcs = [src],
        outs = [src + ".h", src + ".c++"],
        cmd = "capnp compile -I/usr/include --src-prefix=$$(dirname $(location %s)) " % src +
              "-oc++:$(RULEDIR) $(location %s)" % src,
    )
    native.cc_library(
        name = name,
        srcs = [src + ".c++"],
        hdrs = [src + ".h"],
        deps = deps,
        visibility = ["//visibility:public"],
    )
