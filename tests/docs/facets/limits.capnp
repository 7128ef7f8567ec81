# Docs: Dynamic Workers > Custom limits (docs lines 3044-3112). Both examples, each in a fetch()
# harness (limits-worker-code.js, limits-get-entrypoint.js) running limits-child.js; the tester
# checks that a limit hit reaches the caller as the docs say and that others are still served.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "limits-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "CODE_LIMITS", service = "limits-worker-code"),
        (name = "CODE_LIMITS_RAW", service = "limits-worker-code-raw"),
        (name = "ENTRYPOINT_LIMITS", service = "limits-get-entrypoint"),
        (name = "UPSTREAM", service = "upstream"),
      ],
    )),
    (name = "limits-worker-code", worker = (
      modules = [
        (name = "limits-worker-code.js", esModule = embed "limits-worker-code.js"),
        (name = "limits-child.js", esModule = embed "limits-child.js"),
        (name = "loader-defaults.js", esModule = embed "loader-defaults.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ()), (name = "FILL_TODAY", json = "true")],
      globalOutbound = "upstream",
    )),
    # The same, with "$today" left for the real binding to judge.
    (name = "limits-worker-code-raw", worker = (
      modules = [
        (name = "limits-worker-code.js", esModule = embed "limits-worker-code.js"),
        (name = "limits-child.js", esModule = embed "limits-child.js"),
        (name = "loader-defaults.js", esModule = embed "loader-defaults.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ()), (name = "FILL_TODAY", json = "false")],
      globalOutbound = "upstream",
    )),
    (name = "limits-get-entrypoint", worker = (
      modules = [
        (name = "limits-get-entrypoint.js", esModule = embed "limits-get-entrypoint.js"),
        (name = "limits-child.js", esModule = embed "limits-child.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "LOADER", workerLoader = ())],
      globalOutbound = "upstream",
    )),
    # Stand-in for the internet (the children's fetch() goes to their parent's globalOutbound).
    (name = "upstream", worker = (
      modules = [(name = "upstream.js", esModule = embed "upstream.js")],
      compatibilityDate = "2026-05-08",
    )),
  ],
);
