import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (n INTEGER PRIMARY KEY)");
  }
  async fetch(request) {
    const sql = this.ctx.storage.sql;
    const path = new URL(request.url).pathname;
    if (path === "/count") {
      return new Response(String(sql.exec("SELECT count(*) AS c FROM hits").one().c));
    }
    if (path === "/arm") {
      await this.ctx.storage.setAlarm(Date.now() + 1000);
      return new Response("armed");
    }
    if (path === "/alarmed") {
      return new Response(String(sql.exec("SELECT count(*) AS c FROM hits WHERE n = -1").one().c));
    }
    const n = Number(new URL(request.url).searchParams.get("n"));
    sql.exec("INSERT INTO hits (n) VALUES (?)", n);
    return new Response(`stored ${n}`);
  }
}

Counter.prototype.alarm = function () {
  this.ctx.storage.sql.exec("INSERT INTO hits (n) VALUES (-1)");
};

export default {
  fetch(request, env) {
    return env.COUNTER.getByName("the-counter").fetch(request);
  },
};
