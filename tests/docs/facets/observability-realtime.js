// Docs: Dynamic Workers > Observability > "Return logs in real time" (JavaScript tab), in a
// fetch() harness. The docs show the import and the three steps and leave the rest to the
// Playground example: here LogSession, LogWaiter and the tail that fills the session (SessionTail)
// are the harness's, after the Playground's pattern, and `worker` is a Dynamic Worker that logs.
import { exports } from "cloudflare:workers";
import { DurableObject, RpcTarget, WorkerEntrypoint } from "cloudflare:workers";

export class LogWaiter extends RpcTarget {
  logs = [];
  resolvers = [];
  push(entries) {
    this.logs.push(...entries);
    for (const resolve of this.resolvers.splice(0)) resolve(this.logs);
  }
  getLogs(timeoutMs) {
    if (this.logs.length > 0) return this.logs;
    return new Promise((resolve) => {
      this.resolvers.push(resolve);
      setTimeout(() => resolve(this.logs), timeoutMs);
    });
  }
}

export class LogSession extends DurableObject {
  waiter = new LogWaiter();
  waitForLogs() {
    return this.waiter;
  }
  pushLogs(entries) {
    this.waiter.push(entries);
  }
}

export class SessionTail extends WorkerEntrypoint {
  async tail(events) {
    const entries = events.flatMap((event) =>
      event.logs.map((log) => ({ level: log.level, message: log.message })));
    await this.ctx.exports.LogSession.getByName(this.ctx.props.workerName).pushLogs(entries);
  }
}

const CHILD = `
export default {
  fetch(request) {
    console.log("step one");
    console.error("step two", 2);
    return new Response("child response");
  },
};
`;

export default {
  async fetch(request, env, ctx) {
    const params = new URL(request.url).searchParams;
    const workerName = params.get("name");
    const dynamicWorker = env.LOADER.get(workerName, () => ({
      compatibilityDate: "2026-05-08",
      mainModule: "child.js",
      modules: { "child.js": CHILD },
      tails: [ctx.exports.SessionTail({ props: { workerName } })],
    }));
    // The child's event (and so its tail) ends once its response body has been read, which the
    // fragment does only after getLogs(). With ?buffer, `worker` reads the body before handing the
    // response over; without, `worker` is the Dynamic Worker itself.
    const worker = !params.has("buffer") ? dynamicWorker : {
      getEntrypoint: () => ({
        fetch: async (req) => {
          const res = await dynamicWorker.getEntrypoint().fetch(req);
          return new Response(await res.arrayBuffer(), res);
        },
      }),
    };
    // --- verbatim from the docs (Observability, "Return logs in real time"; import above) ---
    // 1. Create a log session before running the Dynamic Worker.
    const logSession = exports.LogSession.getByName(workerName);
    const logWaiter = await logSession.waitForLogs();

    // 2. Run the Dynamic Worker.
    const response = await worker.getEntrypoint().fetch(request);

    // 3. Wait up to 1 second for the Tail Worker to deliver logs.
    const logs = await logWaiter.getLogs(1000);
    // --- end ---
    return Response.json({ status: response.status, body: await response.text(), logs });
  },
};
