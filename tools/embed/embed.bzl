"""kiln_embed: compile files into a C++ table (see tools/embed/embed.c++)."""

def kiln_embed(name, srcs, function, visibility = None):
    native.genrule(
        name = name + "_gen",
        srcs = srcs,
        outs = [name + ".embed.c++", name + ".embed.h"],
        cmd = "$(location //tools/embed) $(location %s.embed.c++) $(location %s.embed.h) %s $(SRCS)" %
              (name, name, function),
        tools = ["//tools/embed"],
    )
    native.cc_library(
        name = name,
        srcs = [name + ".embed.c++"],
        hdrs = [name + ".embed.h"],
        deps = ["//src/util:embedded"],
        visibility = visibility,
    )
