import { assert, assertEqual, assertDeepEqual, assertThrows, assertRejects } from "assert.js";
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.instanceCreated = ++Counter.instances;
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS counts (name TEXT PRIMARY KEY, n INTEGER)");
  }
  increment(by = 1) {
    this.ctx.storage.sql.exec(
      "INSERT INTO counts VALUES ('c', ?) ON CONFLICT(name) DO UPDATE SET n = n + ?", by, by);
    return this.ctx.storage.sql.exec("SELECT n FROM counts WHERE name = 'c'").one().n;
  }
  whoAmI() {
    return { id: this.ctx.id.toString(), instance: this.instanceCreated };
  }
  async fetch(request) {
    return new Response(String(this.increment()));
  }
}
Counter.instances = 0;

export class Notes extends DurableObject {
  sql(query, ...bindings) {
    const cursor = this.ctx.storage.sql.exec(query, ...bindings);
    return {
      rows: cursor.toArray(),
      columns: cursor.columnNames,
      rowsRead: cursor.rowsRead,
      rowsWritten: cursor.rowsWritten,
    };
  }
  raw(query) {
    return this.ctx.storage.sql.exec(query).raw().toArray();
  }
  kvRoundTrip() {
    const kv = this.ctx.storage.kv;
    kv.put("a", { nested: [1, 2], when: new Date(5) });
    kv.put("b/1", "one");
    kv.put("b/2", "two");
    const list = [...kv.list({ prefix: "b/" }).entries()];
    const deleted = kv.delete("b/1");
    return { a: kv.get("a"), list, deleted, missing: kv.get("nope"), after: [...kv.list().keys()] };
  }
  whoAmI() {
    return { id: this.ctx.id.toString(), name: this.ctx.id.name ?? null };
  }
  async listOptions() {
    const kv = this.ctx.storage.kv;
    for (const k of ["a", "b", "c", "d"]) kv.put(k, k.toUpperCase());
    const errorOf = (fn) => {
      try {
        fn();
        return "no error";
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    return {
      startAfter: [...kv.list({ startAfter: "b" }).keys()],
      startAfterLimit: [...kv.list({ startAfter: "a", limit: 2 }).keys()],
      asyncStartAfter: [...(await this.ctx.storage.list({ startAfter: "c" })).keys()],
      both: errorOf(() => kv.list({ start: "a", startAfter: "b" })),
      negative: errorOf(() => kv.list({ limit: -1 })),
      zero: errorOf(() => kv.list({ limit: 0 })),
    };
  }
  async wipe() {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS doomed (v INTEGER)");
    this.ctx.storage.kv.put("k", 1);
    await this.ctx.storage.deleteAll();
    return {
      tables: this.ctx.storage.sql.exec(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'doomed'").toArray().length,
      k: this.ctx.storage.kv.get("k"),
    };
  }
  async asyncApi() {
    const storage = this.ctx.storage;
    await storage.put("x", 1);
    await storage.put({ y: 2, z: 3 });
    const many = await storage.get(["x", "y", "missing"]);
    const count = await storage.delete(["y", "z"]);
    return { x: await storage.get("x"), many: [...many.entries()], count };
  }
  rollback() {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS t (v INTEGER)");
    try {
      this.ctx.storage.transactionSync(() => {
        sql.exec("INSERT INTO t VALUES (1)");
        throw new Error("abort the transaction");
      });
    } catch (e) {
      // expected
    }
    this.ctx.storage.transactionSync(() => sql.exec("INSERT INTO t VALUES (2)"));
    return sql.exec("SELECT v FROM t").toArray().map((r) => r.v);
  }
  size() {
    return this.ctx.storage.sql.databaseSize;
  }
  // storage.transaction() across awaits; the expected outcomes are workerd's on the same code.
  async asyncTransactions() {
    const s = this.ctx.storage;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const out = {};
    const attempt = async (name, f) => {
      try {
        out[name] = await f();
      } catch (e) {
        out[name] = `${e.constructor.name}: ${e.message}`;
      }
    };
    await attempt("throw", () => s.transaction(async (txn) => {
      await txn.put("a", 1);
      await sleep(5);
      await txn.put("b", 2);
      throw new Error("boom");
    }));
    out.afterThrow = [await s.get("a"), await s.get("b")];
    await attempt("rollback", () => s.transaction(async (txn) => {
      await txn.put("c", 1);
      await sleep(5);
      txn.rollback();
      return "returned";
    }));
    out.afterRollback = await s.get("c");
    await attempt("putAfterRollback", () => s.transaction(async (txn) => {
      txn.rollback();
      await txn.put("d", 1);
    }));
    await attempt("commit", () => s.transaction(async (txn) => {
      await txn.put("e", 1);
      await sleep(5);
      return [await txn.get("e"), (await txn.list()).size];
    }));
    out.afterCommit = await s.get("e");
    await attempt("nested", () => s.transaction(async (txn) => {
      await txn.put("f", 1);
      await s.transaction(async (inner) => {
        await sleep(1);
        await inner.put("g", 1);
      });
      throw new Error("outer");
    }));
    out.afterNested = [await s.get("f"), await s.get("g")];
    await attempt("sqlInside", () => s.transaction(async () => {
      s.sql.exec("CREATE TABLE IF NOT EXISTS t2 (x)");
      await sleep(1);
      throw new Error("undo the table");
    }));
    out.table = s.sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 't2'").one().n;
    const log = [];
    await attempt("concurrent", async () => (await Promise.allSettled([
      s.transaction(async (txn) => {
        log.push("A starts");
        await txn.put("m", 1);
        await sleep(10);
        log.push("A throws");
        throw new Error("A fails");
      }),
      s.transaction(async (txn) => {
        log.push("B starts");
        await sleep(2);
        await txn.put("n", 1);
        log.push("B ends");
        return "B";
      }),
    ])).map((r) => r.status));
    out.log = log;
    out.afterConcurrent = [await s.get("m"), await s.get("n")];
    await attempt("plainValue", () => s.transaction(() => 42));
    await attempt("txnOutlivesIt", async () => {
      let saved;
      await s.transaction(async (txn) => {
        saved = txn;
      });
      return await saved.put("z", 1);
    });
    return out;
  }
  async slowTransaction() {
    return this.ctx.storage.transaction(async (txn) => {
      await txn.put("slow", "inside");
      await new Promise((resolve) => setTimeout(resolve, 100));
      await txn.put("slow", "done");
      return "committed";
    });
  }
  async readSlow() {
    return this.ctx.storage.get("slow");
  }
}

export const sameNameSameObject = {
  async test(ctrl, env) {
    const a = env.COUNTER.getByName("alpha");
    assertEqual(await a.increment(), 1);
    assertEqual(await a.increment(2), 3);
    const again = env.COUNTER.get(env.COUNTER.idFromName("alpha"));
    assertEqual(await again.increment(), 4, "same name, same object and storage");
    const whoA = await a.whoAmI();
    const whoAgain = await again.whoAmI();
    assertEqual(whoA.instance, whoAgain.instance, "one live instance per id");
    assertEqual(await env.COUNTER.getByName("beta").increment(), 1, "another name, another object");
  },
};

export const fetchReachesTheObject = {
  async test(ctrl, env) {
    const stub = env.COUNTER.getByName("fetch-me");
    assertEqual(await (await stub.fetch("http://do/")).text(), "1");
    assertEqual(await (await stub.fetch("http://do/")).text(), "2");
  },
};

export const idsAreUnforgeable = {
  test(ctrl, env) {
    const id = env.COUNTER.idFromName("alpha");
    assertEqual(id.toString().length, 64);
    assertEqual(id.name, "alpha");
    assert(id.equals(env.COUNTER.idFromString(id.toString())), "round trip");
    assert(!id.equals(env.COUNTER.idFromName("beta")));
    const unique = env.COUNTER.newUniqueId();
    assert(unique.toString() !== env.COUNTER.newUniqueId().toString());
    assert(env.COUNTER.idFromString(unique.toString()).equals(unique));
    // Flip one hex digit of the id part: the MAC no longer matches.
    const hex = id.toString();
    const forged = (hex[0] === "0" ? "1" : "0") + hex.slice(1);
    assertThrows(() => env.COUNTER.idFromString(forged), TypeError, "Invalid Durable Object ID");
    assertThrows(() => env.COUNTER.idFromString("abc"), TypeError, "Invalid Durable Object ID");
    // Another namespace's id is not valid here.
    assertThrows(() => env.NOTES.idFromString(hex), TypeError, "Invalid Durable Object ID");
  },
};

export const sqlCursor = {
  async test(ctrl, env) {
    const notes = env.NOTES.getByName("sql");
    await notes.sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, score REAL)");
    const inserted = await notes.sql("INSERT INTO notes (body, score) VALUES (?, ?), (?, ?)",
      "first", 1.5, "second", 2);
    assertEqual(inserted.rowsWritten, 2);
    const all = await notes.sql("SELECT id, body, score FROM notes ORDER BY id");
    assertDeepEqual(all.columns, ["id", "body", "score"]);
    assertDeepEqual(all.rows, [{ id: 1, body: "first", score: 1.5 }, { id: 2, body: "second", score: 2 }]);
    assert(all.rowsRead >= 2, `rowsRead ${all.rowsRead}`);
    assertDeepEqual(await notes.raw("SELECT body FROM notes ORDER BY id"), [["first"], ["second"]]);
    assert((await notes.size()) > 0);
  },
};

export const sqlErrorsAreSqliteMessages = {
  async test(ctrl, env) {
    const notes = env.NOTES.getByName("errors");
    await assertRejects(notes.sql("SELEC nonsense"), Error, "syntax error");
    await assertRejects(notes.sql("SELECT * FROM no_such_table"), Error, "no such table: no_such_table");
    await assertRejects(notes.sql("BEGIN TRANSACTION"), Error, "transactionSync()");
    // A statement list that fails half-way leaves nothing behind.
    await notes.sql("CREATE TABLE t (v INTEGER NOT NULL)");
    await assertRejects(notes.sql("INSERT INTO t VALUES (1); INSERT INTO t VALUES (NULL)"), Error,
      "NOT NULL constraint failed");
    assertDeepEqual((await notes.sql("SELECT count(*) AS n FROM t")).rows, [{ n: 0 }]);
  },
};

// User SQL is confined to the object's own tables (as in Workers): no other files, no paths, no
// kiln bookkeeping, no extensions. Each refusal is SQLite's SQLITE_AUTH.
export const sqlAuthorizerConfinesUserSql = {
  async test(ctrl, env) {
    const notes = env.NOTES.getByName("authorizer");
    await notes.kvRoundTrip();  // Creates kiln's KV table.
    const refused = [
      "PRAGMA database_list",
      "SELECT * FROM pragma_database_list",
      "ATTACH DATABASE '/tmp/kiln-attach-test.db' AS other",
      "DETACH DATABASE main",
      "VACUUM INTO '/tmp/kiln-vacuum-test.db'",
      "VACUUM",
      "SELECT * FROM _cf_KV",
      "DROP TABLE _cf_KV",
      "DELETE FROM _cf_KV",
      "INSERT INTO _cf_KV VALUES ('x', 'y')",
      "ALTER TABLE _cf_KV RENAME TO mine",
      "CREATE INDEX sneaky ON _cf_KV (value)",
      "CREATE TABLE _cf_mine (v)",
      "SELECT load_extension('/tmp/evil.so')",
      "PRAGMA journal_mode = DELETE",
      "PRAGMA writable_schema = ON",
    ];
    for (const sql of refused) {
      await assertRejects(notes.sql(sql), Error, "not authorized", sql);
      await assertRejects(notes.sql(sql), Error, "SQLITE_AUTH", sql);
    }
    // kiln's own storage still works after all that.
    const kv = await notes.kvRoundTrip();
    assertEqual(kv.missing, undefined);
    assertDeepEqual(kv.after, ["a", "b/2"]);
    // What applications do is allowed: schema reads, introspection pragmas, FTS5, AUTOINCREMENT.
    await notes.sql("CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)");
    await notes.sql("CREATE INDEX items_name ON items (name)");
    await notes.sql("INSERT INTO items (name) VALUES ('a'), ('b')");
    await notes.sql("ALTER TABLE items ADD COLUMN extra TEXT");
    const columns = await notes.sql("PRAGMA table_info(items)");
    assertDeepEqual(columns.rows.map((r) => r.name), ["id", "name", "extra"]);
    const listed = await notes.sql("SELECT name FROM pragma_table_info('items')");
    assertEqual(listed.rows.length, 3);
    const tables = await notes.sql("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    assert(tables.rows.some((r) => r.name === "items"), JSON.stringify(tables.rows));
    await notes.sql("CREATE VIRTUAL TABLE docs USING fts5(body)");
    await notes.sql("INSERT INTO docs VALUES ('hello world'), ('goodbye')");
    assertEqual((await notes.sql("SELECT body FROM docs WHERE docs MATCH 'hello'")).rows[0].body,
      "hello world");
    await notes.sql("ALTER TABLE items RENAME TO things");
    assertEqual((await notes.sql("SELECT count(*) AS n FROM things")).rows[0].n, 2);
    await notes.sql("PRAGMA foreign_keys = ON");
    assertEqual((await notes.sql("PRAGMA quick_check")).rows[0].quick_check, "ok");
  },
};

// Cloudflare's SQL limits: strings and blobs up to 2 MB, which also bounds what one statement can
// allocate outside the V8 heap.
export const sqlLimits = {
  async test(ctrl, env) {
    const notes = env.NOTES.getByName("limits");
    await assertRejects(notes.sql("SELECT zeroblob(1000000000)"), Error, "too big", "zeroblob");
    await assertRejects(notes.sql("SELECT length(hex(zeroblob(1100000)))"), Error, "too big",
      "hex");
    const ok = await notes.sql("SELECT length(zeroblob(1000000)) AS n");
    assertEqual(ok.rows[0].n, 1000000);
  },
};

// kiln's printf()/format() (they clamp %c precisions, see storage/sqlite-printf.c++) give what
// SQLite's own give (recorded with the sqlite3 shell at the same length limit).
export const sqlPrintfIsSqlites = {
  async test(ctrl, env) {
    const notes = env.NOTES.getByName("printf");
    const { rows } = await notes.sql(
      "SELECT printf('%d|%5s|%-5s|%.2f|%c|%.3c|%*d|%.*s|%%|%lld|%q|%w|%!.3g', 42, 'ab', 'cd', " +
      "3.14159, 'xyz', 'k', 4, 7, 2, 'hello', 123456789012, 'it''s', 'a\"b', 1e100) AS a, " +
      "format('%.*c%s', 3, 'z', 'end') AS b, printf(NULL) AS c, printf('%s') AS d, " +
      "printf('%.*c', 2000000000, 'x') AS e, length(printf('%.*c', 1999999, 'x')) AS f, " +
      "printf('%.3000000c', 'x') AS g, printf('%.*c', -3, 'q') AS h");
    assertDeepEqual(rows, [{
      a: "42|   ab|cd   |3.14|x|kkk|   7|he|%|123456789012|it''s|a\"\"b|1.0e+100",
      b: "zzzend", c: null, d: "", e: null, f: 1999999, g: null, h: "qqq",
    }]);
  },
};

// list() options as the storage API documents them: startAfter is exclusive, and nonsense
// (start with startAfter, a limit that is not positive) is a TypeError, not "everything".
// Names, as Cloudflare added in 2026: ctx.id.name inside an object got by name, and stub.id and
// stub.name on namespace stubs (a stub for an id not made from a name has no name).
export const idsKnowTheirNames = {
  async test(ctrl, env) {
    const stub = env.NOTES.getByName("alice");
    assertEqual(stub.name, "alice");
    assertEqual(stub.id.toString(), env.NOTES.idFromName("alice").toString());
    assertDeepEqual(await stub.whoAmI(), { id: stub.id.toString(), name: "alice" });
    const unique = env.NOTES.get(env.NOTES.newUniqueId());
    assertEqual(unique.name, undefined);
    assertEqual((await unique.whoAmI()).name, null);
    const byString = env.NOTES.get(env.NOTES.idFromString(stub.id.toString()));
    assertEqual(byString.name, undefined, "a hex id does not carry the name");
    assertEqual((await byString.whoAmI()).name, "alice", "the object still knows its own");
    assertDeepEqual(Object.keys(stub), [], "nothing enumerable on a stub");
  },
};

export const kvListOptions = {
  async test(ctrl, env) {
    const result = await env.NOTES.getByName("list-options").listOptions();
    assertDeepEqual(result.startAfter, ["c", "d"]);
    assertDeepEqual(result.startAfterLimit, ["b", "c"]);
    assertDeepEqual(result.asyncStartAfter, ["d"]);
    assert(result.both.startsWith("TypeError"), result.both);
    assertEqual(result.negative, "TypeError: List limit must be positive.");
    assertEqual(result.zero, "TypeError: List limit must be positive.");
  },
};

export const kvStorage = {
  async test(ctrl, env) {
    const result = await env.NOTES.getByName("kv").kvRoundTrip();
    assertDeepEqual(result.a.nested, [1, 2]);
    assertEqual(result.a.when.getTime(), 5);
    assertDeepEqual(result.list, [["b/1", "one"], ["b/2", "two"]]);
    assertEqual(result.deleted, true);
    assertEqual(result.missing, undefined);
    assertDeepEqual(result.after, ["a", "b/2"]);
    const asyncResult = await env.NOTES.getByName("kv-async").asyncApi();
    assertEqual(asyncResult.x, 1);
    assertDeepEqual(asyncResult.many, [["x", 1], ["y", 2]]);
    assertEqual(asyncResult.count, 2);
  },
};

export const deleteAllRemovesTablesAndKeys = {
  async test(ctrl, env) {
    assertDeepEqual(await env.NOTES.getByName("wipe").wipe(), { tables: 0, k: undefined });
  },
};

export const transactionSyncRollsBack = {
  async test(ctrl, env) {
    assertDeepEqual(await env.NOTES.getByName("tx").rollback(), [2]);
  },
};

export const transactionsSpanAwaits = {
  async test(ctrl, env) {
    const out = await env.NOTES.getByName("async-tx").asyncTransactions();
    assertDeepEqual(out, {
      throw: "Error: boom",
      afterThrow: [undefined, undefined],
      rollback: "returned",
      afterRollback: undefined,
      putAfterRollback: "Error: Cannot put() on rolled back transaction",
      commit: [1, 1],
      afterCommit: 1,
      nested: "Error: outer",
      afterNested: [undefined, undefined],
      sqlInside: "Error: undo the table",
      table: 0,
      concurrent: ["rejected", "fulfilled"],
      // One transaction at a time: B starts once A has ended, and A's rollback leaves B's write.
      log: ["A starts", "A throws", "B starts", "B ends"],
      afterConcurrent: [undefined, 1],
      plainValue: 42,
      txnOutlivesIt: "Error: Cannot call put() on transaction that has already committed: " +
        "did you move `txn` outside of the closure?",
    });
  },
};

export const transactionHoldsOtherEvents = {
  async test(ctrl, env) {
    const stub = env.NOTES.getByName("slow-tx");
    const running = stub.slowTransaction();
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Sent while the transaction is open: it waits at the input gate and sees the committed value.
    assertEqual(await stub.readSlow(), "done");
    assertEqual(await running, "committed");
  },
};

// Read-modify-write with the async storage API: storage calls never yield to other events
// (SQLite is synchronous underneath), so concurrent events cannot interleave between the get()
// and the put(), and no increment is lost.
export class Racer extends DurableObject {
  async add() {
    const value = (await this.ctx.storage.get("n")) ?? 0;
    await this.ctx.storage.put("n", value + 1);
    return value + 1;
  }
  async value() {
    return await this.ctx.storage.get("n");
  }
}

export const asyncStorageCallsDoNotInterleave = {
  async test(ctrl, env) {
    const stub = env.RACER.getByName("race");
    await Promise.all(Array.from({ length: 50 }, () => stub.add()));
    assertEqual(await stub.value(), 50);
  },
};

// blockConcurrencyWhile() in the constructor: events that arrive while it waits (here on a
// timer, which does yield) are held until it finishes.
export class SlowStart extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.ready = false;
    ctx.blockConcurrencyWhile(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      this.ready = true;
    });
  }
  isReady() {
    return this.ready;
  }
}

export const blockConcurrencyWhileHoldsOtherEvents = {
  async test(ctrl, env) {
    const stub = env.SLOW.getByName("slow");
    const results = await Promise.all(Array.from({ length: 5 }, () => stub.isReady()));
    // The first event constructs the object; the others wait at the gate. The first one itself
    // is already inside, so it may see ready === false; none of the waiting ones may.
    assertEqual(results.filter((r) => r === true).length >= 4, true, JSON.stringify(results));
    assertEqual(await stub.isReady(), true);
  },
};

export class Alarmed extends DurableObject {
  async arm(inMs, failFirst = false) {
    this.ctx.storage.kv.put("failFirst", failFirst);
    await this.ctx.storage.setAlarm(Date.now() + inMs);
    return await this.ctx.storage.getAlarm();
  }
  async disarm() {
    await this.ctx.storage.deleteAlarm();
    return await this.ctx.storage.getAlarm();
  }
  async arm2(inMs) {
    const at = Date.now() + inMs;
    this.ctx.storage.kv.put("armedFor", at);
    await this.ctx.storage.setAlarm(at);
  }
  async alarm(info) {
    const calls = this.ctx.storage.kv.get("calls") || [];
    calls.push(info);
    this.ctx.storage.kv.put("calls", calls);
    const armedFor = this.ctx.storage.kv.get("armedFor");
    if (armedFor !== undefined) {
      this.ctx.storage.kv.put("timing", {
        early: Date.now() < armedFor,
        duringAlarm: await this.ctx.storage.getAlarm(),
      });
    }
    if (this.ctx.storage.kv.get("failFirst") && info.retryCount === 0) {
      throw new Error("first attempt fails on purpose");
    }
  }
  calls() {
    return this.ctx.storage.kv.get("calls") || [];
  }
  timing() {
    return this.ctx.storage.kv.get("timing");
  }
  async pending() {
    return await this.ctx.storage.getAlarm();
  }
  async wipeKeepsAlarm() {
    await this.ctx.storage.setAlarm(Date.now() + 60000);
    await this.ctx.storage.deleteAll();
    const kept = await this.ctx.storage.getAlarm();
    await this.ctx.storage.deleteAlarm();
    return kept;
  }
}

async function pollCalls(stub, count) {
  for (let i = 0; i < 200; i++) {
    const calls = await stub.calls();
    if (calls.length >= count) return calls;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return await stub.calls();
}

export const alarmsFire = {
  async test(ctrl, env) {
    const stub = env.ALARMED.getByName("fires");
    const scheduled = await stub.arm(30);
    assert(typeof scheduled === "number" && scheduled > Date.now() - 1000, String(scheduled));
    const calls = await pollCalls(stub, 1);
    assertEqual(calls.length, 1);
    assertDeepEqual(calls[0], { retryCount: 0, isRetry: false });
    assertEqual(await stub.pending(), null, "a delivered alarm is cleared");
  },
};

// As the storage API documents: an alarm never runs before its time (the same clock as JS
// timers, the delay rounded up), and getAlarm() is null while alarm() runs.
export const alarmsNeverFireEarly = {
  async test(ctrl, env) {
    for (const [i, delay] of [1, 2, 7, 13, 25].entries()) {
      const stub = env.ALARMED.getByName(`on-time-${i}`);
      await stub.arm2(delay);
      await pollCalls(stub, 1);
      const timing = await stub.timing();
      assertEqual(timing.early, false, `an alarm set ${delay} ms ahead fired early`);
      assertEqual(timing.duringAlarm, null, "getAlarm() inside alarm()");
    }
  },
};

// Before compatibility date 2026-02-24, deleteAll() leaves the alarm (this config's date is
// 2024-09-01); tests/durable/delete-all-test.js checks the later behaviour.
export const deleteAllKeepsTheAlarmBeforeItsDate = {
  async test(ctrl, env) {
    assert(typeof (await env.ALARMED.getByName("wipe").wipeKeepsAlarm()) === "number");
  },
};

export const failedAlarmsAreRetried = {
  async test(ctrl, env) {
    const stub = env.ALARMED.getByName("retries");
    await stub.arm(10, true);
    const calls = await pollCalls(stub, 2);
    assertEqual(calls.length, 2);
    assertDeepEqual(calls[1], { retryCount: 1, isRetry: true });
  },
};

export const deletedAlarmsDoNotFire = {
  async test(ctrl, env) {
    const stub = env.ALARMED.getByName("deleted");
    await stub.arm(30);
    assertEqual(await stub.disarm(), null);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assertEqual((await stub.calls()).length, 0);
  },
};
