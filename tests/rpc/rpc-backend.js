// A separate config service reached through a service binding with an entrypoint and props.
import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";

class Ledger extends RpcTarget {
  constructor(owner) {
    super();
    this.owner = owner;
    this.entries = [];
  }

  add(amount) {
    this.entries.push(amount);
    return `${this.owner}: ${this.entries.reduce((a, b) => a + b, 0)}`;
  }
}

export class Tenant extends WorkerEntrypoint {
  whoami() {
    return this.ctx.props;
  }

  describe(what) {
    return `${what} for ${this.ctx.props.tenant} on ${this.ctx.props.plan}`;
  }

  openLedger() {
    return new Ledger(this.ctx.props.tenant);
  }
}
