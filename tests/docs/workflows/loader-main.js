// Main module of the docs' Worker Loader: installs the fetchTenantCode stand-in, then exports
// exactly what the verbatim workflow-loader.js exports.
import "tenant-code.js";
export * from "workflow-loader.js";
export { default } from "workflow-loader.js";
