// Docs: Dynamic Workers > Examples > Code Mode Example, "DynamicWorkerExecutor" and
// "createCodeTool" (JavaScript tabs, docs lines 952-969 and 1003-1023), in a fetch handler.
// Needs the npm packages @cloudflare/codemode, ai and zod: pending.
// --- verbatim from the docs (Code Mode Example, DynamicWorkerExecutor) ---
import { DynamicWorkerExecutor } from "@cloudflare/codemode";
// --- end ---
// --- verbatim from the docs (Code Mode Example, createCodeTool) ---
import { createCodeTool } from "@cloudflare/codemode/ai";
// --- end ---
import { tool } from "ai";
import { z } from "zod";

// Two tools, as plain functions with Zod schemas; `calls` records what the sandbox asked for.
const calls = [];
const myTools = {
  listProjects: tool({
    description: "List the projects",
    inputSchema: z.object({}),
    execute: async () => {
      calls.push("listProjects");
      return [{ id: 1, name: "kiln" }, { id: 2, name: "workerd" }];
    },
  }),
  createTask: tool({
    description: "Create a task in a project",
    inputSchema: z.object({ projectId: z.number(), title: z.string() }),
    execute: async ({ projectId, title }) => {
      calls.push(`createTask ${projectId} ${title}`);
      return { id: 7, projectId, title };
    },
  }),
};

export default {
  async fetch(request, env) {
    // --- verbatim from the docs (Code Mode Example, DynamicWorkerExecutor) ---
const executor = new DynamicWorkerExecutor({
  loader: env.LOADER, // WorkerLoader binding from wrangler.jsonc
  timeout: 30000, // default: 30s
  globalOutbound: null, // null = fetch blocked
});
    // --- end ---
    // --- verbatim from the docs (Code Mode Example, createCodeTool) ---
const codemode = createCodeTool({
  tools: myTools, // Record<string, tool()> with Zod schemas
  executor, // DynamicWorkerExecutor
});

// The LLM sees: one tool called "codemode" with input { code: string }
// The description includes TypeScript types for all your tools
    // --- end ---
    // The LLM's call of the tool: { code } in, { code, result, logs } out.
    const { code } = await request.json();
    calls.length = 0;
    const output = await codemode.execute({ code }, { toolCallId: "call-1", messages: [] });
    return Response.json({ ...output, calls });
  },
};
