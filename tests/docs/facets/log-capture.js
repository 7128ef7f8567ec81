// Test scaffolding for observability-attach.js: records the objects the docs' DynamicWorkerTail
// writes with console.log() (kiln has no Workers Logs to query), and still logs them.
export const captured = [];
const original = console.log;
console.log = function (...args) {
  if (args[0] && args[0].source === "dynamic-worker-tail") captured.push(args[0]);
  return original.apply(this, args);
};
