import { WorkerEntrypoint } from "cloudflare:workers";

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const body = request.body ? await request.text() : "";
    return Response.json({
      who: "backend",
      method: request.method,
      path: url.pathname,
      body,
      header: request.headers.get("x-test"),
      props: ctx.props,
    });
  },
};

export class admin extends WorkerEntrypoint {
  async fetch(request) {
    return new Response(`admin for ${new URL(request.url).pathname}`, { status: 201 });
  }
}
