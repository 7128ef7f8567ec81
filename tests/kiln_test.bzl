"""kiln_js_test: runs `kiln test CONFIG` under Bazel; the config's tests are JS test() handlers."""

def kiln_js_test(name, config, srcs = [], size = "small", **kwargs):
    native.sh_test(
        name = name,
        size = size,
        srcs = ["//tests:run-kiln-test.sh"],
        args = ["$(location //:kiln)", "$(location %s)" % config],
        data = ["//:kiln", config] + srcs,
        **kwargs
    )
