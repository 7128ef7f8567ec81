"""kiln_fuzz_target: a libFuzzer entry point, its corpus replay test and its fuzzer binary."""

def kiln_fuzz_target(name, deps):
    native.cc_library(
        name = name + "-fuzz-lib",
        srcs = [name + "-fuzz.c++"],
        deps = deps,
        alwayslink = True,
        testonly = True,
    )

    # The corpus as a regression test, in every build.
    native.cc_test(
        name = name + "-fuzz-replay",
        size = "small",
        srcs = ["replay-main.c++"],
        args = ["tests/fuzz/corpus/" + name],
        data = native.glob(["corpus/" + name + "/**"]),
        deps = [":" + name + "-fuzz-lib"],
    )

    # The fuzzer itself: only with tools/fuzz (clang, --config=fuzz).
    native.cc_binary(
        name = name + "-fuzz",
        linkopts = ["-fsanitize=fuzzer"],
        deps = [":" + name + "-fuzz-lib"],
        tags = ["manual"],
        testonly = True,
    )
