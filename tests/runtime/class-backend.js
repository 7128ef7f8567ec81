import { WorkerEntrypoint } from "cloudflare:workers";

export default class extends WorkerEntrypoint {
  async fetch(request) {
    return Response.json({ tenant: this.ctx.props.tenant, url: request.url });
  }
}
