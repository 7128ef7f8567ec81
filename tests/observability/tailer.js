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
  streamed() {
    return streamed;
  }
}

// Streaming tails: tailStream(onset) returns the handler of each later event. A class entrypoint
// here, with an object of handlers by event type.
const streamed = [];
export class Streamed extends WorkerEntrypoint {
  tailStream(onset) {
    const events = [onset];
    streamed.push(events);
    const add = (event) => { events.push(event); };
    return { log: add, exception: add, return: add, outcome: add };
  }
}
