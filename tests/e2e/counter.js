import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (n INTEGER PRIMARY KEY)");
  }
  async fetch(request) {
    const sql = this.ctx.storage.sql;
    if (new URL(request.url).pathname === "/count") {
      return new Response(String(sql.exec("SELECT count(*) AS c FROM hits").one().c));
    }
    const n = Number(new URL(request.url).searchParams.get("n"));
    sql.exec("INSERT INTO hits (n) VALUES (?)", n);
    return new Response(`stored ${n}`);
  }
}

export default {
  fetch(request, env) {
    return env.COUNTER.getByName("the-counter").fetch(request);
  },
};
