"""kiln_js_test: runs `kiln test CONFIG` under Bazel; the config's tests are JS test() handlers.

Each config runs twice: as is, and as NAME-gc with `--force-gc` (a full garbage collection after
every entry into JavaScript), so that a C++ object outliving the JavaScript that owned it fails
every run instead of the occasional one.
"""

def kiln_js_test(name, config, srcs = [], size = "small", gc_tags = [], flags = [], **kwargs):
    """gc_tags: extra tags for the NAME-gc variant only (e.g. "manual" while a bug is open).

    flags: more `kiln test` flags for both variants.
    """
    for suffix, variant in [("", []), ("-gc", ["--force-gc"])]:
        extra = {}
        if suffix == "-gc" and gc_tags:
            extra["tags"] = kwargs.get("tags", []) + gc_tags
        native.sh_test(
            name = name + suffix,
            size = size,
            srcs = ["//tests:run-kiln-test.sh"],
            args = ["$(location //:kiln)", "$(location %s)" % config] + flags + variant,
            data = ["//:kiln", config] + srcs,
            **dict(kwargs, **extra)
        )
