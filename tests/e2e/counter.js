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
    if (path === "/facet-arm") {
      await this.timed().arm();
      return new Response("armed");
    }
    if (path === "/facet-alarmed") {
      return new Response(String(await this.timed().alarmed()));
    }
    if (path === "/alarmed") {
      return new Response(String(sql.exec("SELECT count(*) AS c FROM hits WHERE n = -1").one().c));
    }
    const n = Number(new URL(request.url).searchParams.get("n"));
    sql.exec("INSERT INTO hits (n) VALUES (?)", n);
    return new Response(`stored ${n}`);
  }

  timed() {
    return this.ctx.facets.get("timed", () => ({ class: this.ctx.exports.Timed }));
  }
}

// Run as a facet of Counter, with a file of its own.
export class Timed extends DurableObject {
  async arm() {
    await this.ctx.storage.setAlarm(Date.now() + 1000);
  }
  alarm() {
    this.ctx.storage.kv.put("alarmed", 1);
  }
  alarmed() {
    return this.ctx.storage.kv.get("alarmed") ?? 0;
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
