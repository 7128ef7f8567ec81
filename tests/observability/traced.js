import { WorkerEntrypoint } from "cloudflare:workers";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    console.log("handling", url.pathname);
    console.warn({ detail: 42 });
    if (url.pathname === "/throw") throw new TypeError("traced failure");
    return new Response("traced ok", { status: 201 });
  },
};

export class Api extends WorkerEntrypoint {
  square(x) {
    console.log("squaring", x);
    return x * x;
  }
}
