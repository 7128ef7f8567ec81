# Docs: Dynamic Workers > "Dynamic Workflows" (docs lines 2355-2812) and "Dynamic Workflows
# Playground" (1500-1527). PENDING issue 17: kiln has no Workflows, so its schema has no workflow
# binding and this config does not parse ("workflow" below mirrors the docs' wrangler config:
# name "dynamic-workflow", binding WORKFLOWS, class_name DynamicWorkflow). The loader also imports
# the npm library @cloudflare/dynamic-workflows, which is to be added as a module
# ("@cloudflare/dynamic-workflows") once Workflows exist.
using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "tester", worker = (
      modules = [
        (name = "main.js", esModule = embed "workflows-tester.js"),
        (name = "assert.js", esModule = embed "../../api/assert.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "LOADER_WORKER", service = "my-worker-loader"),
        (name = "WORKFLOWS", workflow = (name = "dynamic-workflow", serviceName = "my-worker-loader", className = "DynamicWorkflow")),
      ],
    )),
    # The docs' wrangler config: compatibility_date 2026-05-08, LOADER, WORKFLOWS.
    (name = "my-worker-loader", worker = (
      modules = [
        (name = "loader-main.js", esModule = embed "loader-main.js"),
        (name = "workflow-loader.js", esModule = embed "workflow-loader.js"),
        (name = "tenant-code.js", esModule = embed "tenant-code.js"),
        (name = "tenant-workflow.js", text = embed "tenant-workflow.js"),
      ],
      compatibilityDate = "2026-05-08",
      bindings = [
        (name = "LOADER", workerLoader = ()),
        (name = "WORKFLOWS", workflow = (name = "dynamic-workflow", className = "DynamicWorkflow")),
      ],
    )),
  ],
);
