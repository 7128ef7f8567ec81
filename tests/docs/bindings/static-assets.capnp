# Docs: Dynamic Workers > Static assets (docs lines 3323-3837). PENDING: the loader and the upload
# step import handleAssetRequest()/buildAssetManifest() from the npm package
# @cloudflare/worker-bundler, which kiln cannot bundle; the docs' KV namespace is the stand-in
# "kv" (kv.js: get with type json/arrayBuffer, put), so issue 18 (KV) does not block it by itself.
# BUILD tags it manual, pending-issue-18.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "static-assets-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "UPLOAD", service = "upload"),
        (name = "LOADER_APP", service = "loader"),
        (name = "KV", service = (name = "kv", entrypoint = "KvNamespace")),
      ],
    )),
    # The docs' wrangler config: a worker_loaders binding LOADER and a KV namespace KV_ASSETS.
    (name = "loader", worker = (
      modules = [
        (name = "static-assets-loader.js", esModule = embed "static-assets-loader.js"),
        (name = "static-assets-server.js", esModule = embed "static-assets-server.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "LOADER", workerLoader = ()),
        (name = "KV_ASSETS", service = (name = "kv", entrypoint = "KvNamespace")),
      ],
    )),
    (name = "upload", worker = (
      modules = [(name = "static-assets-upload.js", esModule = embed "static-assets-upload.js")],
      compatibilityDate = "2026-05-08",
      bindings = [(name = "KV_ASSETS", service = (name = "kv", entrypoint = "KvNamespace"))],
    )),
    # Stand-in for the KV namespace (kiln has no KV binding yet, issue 18).
    (name = "kv", worker = (
      modules = [(name = "kv.js", esModule = embed "kv.js")],
      compatibilityDate = "2026-05-08",
    )),
  ],
);
