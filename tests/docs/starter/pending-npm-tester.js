// Tests for the examples that import npm packages kiln cannot bundle yet: the Code Mode Example
// (codemode-agent.js, docs lines 952-1023) and the Playground's createWorker() (docs lines
// 1097-1124, playground-bundler.js). See pending-npm.capnp.
import { assert, assertDeepEqual, assertEqual } from "assert.js";

async function json(response) {
  const body = await response.text();
  assertEqual(response.status, 200, `status (body: ${body.slice(0, 300)})`);
  return JSON.parse(body);
}

function callCodemode(env, code) {
  return env.CODEMODE.fetch("http://agent/", { method: "POST", body: JSON.stringify({ code }) });
}

export const codemodeRunsTheLlmsCodeAgainstTheTools = {
  async test(ctrl, env) {
    const code = `async () => {
      const projects = await codemode.listProjects({});
      console.log("found", projects.length);
      return await codemode.createTask({ projectId: projects[0].id, title: "ship it" });
    }`;
    const output = await json(await callCodemode(env, code));
    assertDeepEqual(output.result, { id: 7, projectId: 1, title: "ship it" });
    assertDeepEqual(output.calls, ["listProjects", "createTask 1 ship it"]);
    assert(output.logs.some((line) => line.includes("found 2")), JSON.stringify(output.logs));
  },
};

export const codemodeBlocksFetch = {
  async test(ctrl, env) {
    // globalOutbound: null: the sandbox reaches the world only through the tools.
    const output = await json(await callCodemode(env, `async () => {
      await fetch("http://example.com/");
      return "reached the network";
    }`));
    assert(output.result !== "reached the network", JSON.stringify(output));
    assert(output.error, JSON.stringify(output));
  },
};

export const playgroundBundlesHono = {
  async test(ctrl, env) {
    const userCode = `import { Hono } from "hono";
      const app = new Hono();
      app.get("/", (c) => c.text("bundled hono"));
      export default app;`;
    const response = await env.BUNDLER.fetch("http://playground/", { method: "POST", body: userCode });
    assertEqual(await response.text(), "bundled hono");
    assertEqual(response.status, 200);
  },
};
