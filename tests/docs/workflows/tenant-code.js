// Stand-in for the docs' fetchTenantCode(tenantId), which the Dynamic Workflows guide calls but
// does not define: every tenant's code is the guide's Dynamic Worker (tenant-workflow.js, a text
// module). A global, because the verbatim loader refers to it as a free name.
import TENANT_WORKFLOW from "tenant-workflow.js";

export const fetched = [];

globalThis.fetchTenantCode = async (tenantId) => {
  fetched.push(tenantId);
  return TENANT_WORKFLOW;
};
