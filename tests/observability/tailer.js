import { WorkerEntrypoint } from "cloudflare:workers";

// Module state: every tail() call lands here, and Collected reads it back.
const received = [];

export default {
  tail(events, env, ctx) {
    for (const event of events) received.push(event);
  },
};

export class Collected extends WorkerEntrypoint {
  events() {
    return received;
  }
}
