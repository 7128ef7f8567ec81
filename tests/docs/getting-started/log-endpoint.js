// Stand-in for https://example.com/submit-logs/NAME, where the docs' LogTailer (API reference,
// "tails") posts its events: log-tailer's globalOutbound points here. The tester reads what
// arrived through the Received entrypoint.
import { WorkerEntrypoint } from "cloudflare:workers";

const received = [];

export default {
  async fetch(request) {
    const url = new URL(request.url);
    received.push({
      method: request.method,
      host: url.host,
      path: url.pathname,
      body: await request.text(),
    });
    return new Response("stored");
  },
};

export class Received extends WorkerEntrypoint {
  all() {
    return received;
  }
}
