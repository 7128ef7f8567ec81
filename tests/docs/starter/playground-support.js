// Support for the Dynamic Workers Playground fragments (playground-cache.js, playground-tails.js):
// a stand-in for @cloudflare/worker-bundler's createWorker(), the Tail Worker and the LogSession
// Durable Object the docs describe ("Observability with Tail Workers", steps 1 and 2).
import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";

// Stand-in for createWorker() from @cloudflare/worker-bundler (an npm package kiln cannot bundle):
// no npm resolution, no TypeScript, no bundling. It takes plain JavaScript files and returns them
// as Worker Loader modules (package.json left out), the first one as the main module. `builds`
// counts its calls, so that tests can tell a cache hit (no build) from a miss.
export const builds = { total: 0 };

export async function createWorker({ files }) {
  const modules = {};
  for (const [path, source] of Object.entries(files)) {
    if (path !== "package.json") modules[path] = source;
  }
  builds.total++;
  return { mainModule: Object.keys(modules)[0], modules, warnings: [] };
}

// 1. A Tail Worker captures the Dynamic Worker's console output; 2. forwards it to a LogSession.
export class DynamicWorkerTail extends WorkerEntrypoint {
  async tail(events) {
    const { workerId } = this.ctx.props;
    const session = this.env.LOG_SESSION.getByName(workerId);
    for (const event of events) {
      for (const log of event.logs) {
        await session.add({ workerId, level: log.level, message: log.message });
      }
    }
  }
}

// The docs' LogSession streams logs to the browser over WebSocket; this one keeps them for the
// tests to read.
export class LogSession extends DurableObject {
  async add(entry) {
    const logs = (await this.ctx.storage.get("logs")) ?? [];
    logs.push(entry);
    await this.ctx.storage.put("logs", logs);
  }

  async logs() {
    return (await this.ctx.storage.get("logs")) ?? [];
  }
}

// The harness's own routes: the build count and a LogSession's logs.
export async function harnessRoute(url, env) {
  if (url.pathname === "/builds") return Response.json(builds);
  if (url.pathname === "/logs") {
    return Response.json(await env.LOG_SESSION.getByName(url.searchParams.get("id")).logs());
  }
  return null;
}
