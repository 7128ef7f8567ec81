// A service that describes every request it receives, so tests can tell which service a
// dynamic worker's request reached and what arrived there.
import { WorkerEntrypoint } from "cloudflare:workers";

async function describe(who, request) {
  return Response.json({
    who,
    method: request.method,
    url: request.url,
    path: new URL(request.url).pathname,
    headers: Object.fromEntries(request.headers),
    body: request.body ? await request.text() : "",
  });
}

export default class extends WorkerEntrypoint {
  fetch(request) {
    return describe("echo", request);
  }
}

// Configured as the parents' globalOutbound, so an inherited outbound is distinguishable from a
// child that was handed the ECHO binding.
export class Outbound extends WorkerEntrypoint {
  fetch(request) {
    return describe("outbound", request);
  }
}
