import { assert, assertEqual, assertRejects } from "assert.js";
import { DurableObject } from "cloudflare:workers";

const APP_V1 = `
  import { DurableObject } from "cloudflare:workers";
  export class App extends DurableObject {
    count() {
      let n = this.ctx.storage.kv.get("n") || 0;
      this.ctx.storage.kv.put("n", ++n);
      return "v1:" + n;
    }
    peek(table) {
      try {
        return this.ctx.storage.sql.exec("SELECT * FROM " + table).toArray();
      } catch (e) {
        return e.message;
      }
    }
    spin() { for (;;) {} }
    // SQLite 3.40 spends 3 s in here unless kiln clamps the precision: past the facet's 200 ms.
    hugePrintf() {
      return this.ctx.storage.sql.exec(
        "SELECT printf('%.*c', 2000000000, 'x') IS NULL AS cut").one().cut;
    }
    spinSql() {
      return this.ctx.storage.sql.exec(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c").one();
    }
    async armAlarm(ms = 20) { await this.ctx.storage.setAlarm(Date.now() + ms); }
    alarm() { this.ctx.storage.kv.put("alarmed", true); }
    alarmed() { return this.ctx.storage.kv.get("alarmed") === true; }
    fetch() { return new Response("facet fetch " + this.count()); }
    async slowCount() {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return this.count();
    }
    keepStorage() { globalThis.keptStorage = this.ctx.storage; }
    useKeptStorage() {
      try {
        globalThis.keptStorage.kv.put("n", 1000);
        return "the old storage wrote";
      } catch (e) {
        return e.name + ": " + e.message;
      }
    }
  }
`;
const APP_V2 = APP_V1.replace('"v1:"', '"v2:"');

// Local classes (not namespaces) a supervisor can run as facets through ctx.exports.
export class Inner extends DurableObject {
  who() {
    return { id: this.ctx.id.toString(), name: this.ctx.id.name ?? null, props: this.ctx.props };
  }
  count() {
    const n = (this.ctx.storage.kv.get("n") || 0) + 1;
    this.ctx.storage.kv.put("n", n);
    return n;
  }
}

export class Nester extends DurableObject {
  nest(depth) {
    if (depth === 0) return "bottom";
    return this.ctx.facets.get("deeper", () => ({ class: this.ctx.exports.Nester })).nest(depth - 1);
  }
}

export class Supervisor extends DurableObject {
  async facetIds() {
    const inner = () => this.ctx.exports.Inner;
    const get = (name, options = {}) =>
      this.ctx.facets.get(name, () => ({ class: inner(), ...options })).who();
    const unique = this.ctx.exports.Supervisor.newUniqueId();
    return {
      me: { id: this.ctx.id.toString(), name: this.ctx.id.name ?? null },
      inherited: await get("ids-inherit"),
      byString: await get("ids-string", { id: "my-facet" }),
      byId: await get("ids-unique", { id: unique }),
      unique: unique.toString(),
      // A class that has a namespace too: ctx.exports.Supervisor is that namespace.
      viaNamespace: await this.ctx.facets
        .get("ids-namespace", () => ({ class: this.ctx.exports.Supervisor }))
        .whoAmI(),
    };
  }
  whoAmI() {
    return this.ctx.id.name ?? null;
  }
  facetProps(name, props) {
    // ctx.exports.X({props}) as the class: the facet sees them as ctx.props (as in workerd).
    const cls = props === undefined ? this.ctx.exports.Inner : this.ctx.exports.Inner({ props });
    return this.ctx.facets.get(name, () => ({ class: cls })).who();
  }
  countLocal(name) {
    return this.ctx.facets.get(name, () => ({ class: this.ctx.exports.Inner })).count();
  }
  nest(depth) {
    return this.ctx.facets.get("nest", () => ({ class: this.ctx.exports.Nester })).nest(depth);
  }
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS secrets (value TEXT)");
    ctx.storage.sql.exec("INSERT INTO secrets VALUES ('supervisor only')");
  }
  facet(name, version = "v1") {
    return this.ctx.facets.get(name, async () => {
      const worker = this.env.LOADER.get("app-" + version, () => ({
        compatibilityDate: "2024-09-01",
        mainModule: "app.js",
        modules: { "app.js": version === "v1" ? APP_V1 : APP_V2 },
        globalOutbound: null,
      }));
      return { class: worker.getDurableObjectClass("App") };
    });
  }
  count(name, version) {
    return this.facet(name, version).count();
  }
  peek(name, table) {
    return this.facet(name).peek(table);
  }
  async fetchFacet(name) {
    return await (await this.facet(name).fetch("http://facet/")).text();
  }
  async abortThenUse(name) {
    const stub = this.facet(name);
    await stub.count();
    this.ctx.facets.abort(name, new Error("updating the code"));
    let message;
    try {
      await stub.count();
    } catch (e) {
      message = e.message;
    }
    return message;
  }
  abort(name) {
    this.ctx.facets.abort(name, "stopped");
  }
  // A call in flight when the facet is aborted (how: a reason) or deleted (how: "delete").
  async stopInFlight(name, how) {
    await this.count(name);
    const settle = (p) => p.then((v) => "resolved: " + v, (e) => `${e.name}: ${e.message}`);
    const inFlight = settle(this.facet(name).slowCount());
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (how === "delete") this.ctx.facets.delete(name);
    else this.ctx.facets.abort(name, how);
    const outcome = await inFlight;
    await new Promise((resolve) => setTimeout(resolve, 300));  // Past the call's own timer.
    return { outcome, next: await this.count(name) };
  }
  abortWithoutReason(name) {
    try {
      this.ctx.facets.abort(name);
      return "accepted";
    } catch (e) {
      return `${e.name}: ${e.message}`;
    }
  }
  async oldStorageAfterAbort(name) {
    await this.facet(name).keepStorage();
    this.ctx.facets.abort(name, new RangeError("new code"));
    // The restarted facet runs in the same isolate: the old instance's storage is still there.
    return this.facet(name).useKeptStorage();
  }
  remove(name) {
    this.ctx.facets.delete(name);
  }
  async spin(name, how = "spin") {
    try {
      await this.facet(name)[how]();
      return "no error";
    } catch (e) {
      return e.message;
    }
  }
  armFacetAlarm(name, ms) {
    return this.facet(name).armAlarm(ms);
  }
  abortFacet(name) {
    this.ctx.facets.abort(name, new Error("new code"));
  }
  facetAlarmed(name) {
    return this.facet(name).alarmed();
  }
  ownSecret() {
    return this.ctx.storage.sql.exec("SELECT value FROM secrets").one().value;
  }
  badName() {
    const errors = [];
    for (const name of ["x".repeat(300), "line\nbreak", ""]) {
      try {
        this.ctx.facets.get(name, () => ({}));
        errors.push("accepted");
      } catch (e) {
        errors.push(e.constructor.name);
      }
    }
    return errors.join(",");
  }
}

export const facetPropsComeFromTheClassStub = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("props");
    const tenant = { tenant: "t1", plan: ["pro", 2] };
    assertEqual(JSON.stringify((await sup.facetProps("with", tenant)).props), JSON.stringify(tenant));
    assertEqual(JSON.stringify((await sup.facetProps("without")).props), "{}");
    // The props stay the facet's while it runs: the same facet asked again keeps its first ones.
    assertEqual(JSON.stringify((await sup.facetProps("with", { other: 1 })).props),
      JSON.stringify(tenant));
  },
};

export const facetsKeepTheirOwnState = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("state");
    assertEqual(await sup.count("a"), "v1:1");
    assertEqual(await sup.count("a"), "v1:2");
    assertEqual(await sup.count("b"), "v1:1", "another facet, another database");
    assertEqual(await sup.fetchFacet("a"), "facet fetch v1:3");
  },
};

export const facetCannotReadTheSupervisorsDatabase = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("isolation");
    assertEqual(await sup.ownSecret(), "supervisor only");
    const seen = await sup.peek("a", "secrets");
    assert(typeof seen === "string" && seen.includes("no such table: secrets"), JSON.stringify(seen));
  },
};

export const abortInvalidatesStubsAndAllowsACodeUpdate = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("abort");
    assertEqual(await sup.abortThenUse("app"), "updating the code");
    // Restart with new code; the storage survived the abort.
    assertEqual(await sup.count("app", "v2"), "v2:2");
  },
};

// As workerd: the call in flight rejects with the reason (its type kept), and the aborted
// instance's timer never fires, so it does not write into the storage the next one uses.
export const abortEndsCallsInFlight = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("abort-in-flight");
    assertEqual(JSON.stringify(await sup.stopInFlight("app", new TypeError("rolling out"))),
      JSON.stringify({ outcome: "TypeError: rolling out", next: "v1:2" }));
    assertEqual(JSON.stringify(await sup.stopInFlight("app", 42)),
      JSON.stringify({ outcome: "Error: 42", next: "v1:4" }));
    assertEqual(JSON.stringify(await sup.stopInFlight("app", "delete")),
      JSON.stringify({ outcome: "Error: Facet was deleted.", next: "v1:1" }));
    assertEqual(await sup.abortWithoutReason("app"),
      "TypeError: Failed to execute 'abort' on 'DurableObjectFacets': parameter 2 is not of type 'Value'.");
    // An aborted instance's storage refuses its code from then on (workerd: an I/O error).
    assertEqual(await sup.oldStorageAfterAbort("app"), "Error: new code");
    assertEqual(await sup.count("app"), "v1:2");
  },
};

export const deleteRemovesTheFacetsStorage = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("delete");
    await sup.count("gone");
    assertEqual(await sup.count("gone"), "v1:2");
    await sup.remove("gone");
    assertEqual(await sup.count("gone"), "v1:1", "a fresh, empty database");
  },
};

export const aLoopingFacetFailsAndTheSupervisorGoesOn = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("loop");
    const message = await sup.spin("looper");
    assert(message.includes("exceeded CPU time limit"), message);
    assertEqual(await sup.ownSecret(), "supervisor only", "the supervisor and its database go on");
    assertEqual(await sup.count("other"), "v1:1", "its other facets too");
  },
};

// A statement that never ends runs inside SQLite, out of V8's reach: the CPU limit must stop it
// all the same.
export const aFacetLoopingInSqlIsStopped = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("sql-loop");
    const message = await sup.spin("sql-looper", "spinSql");
    assert(message.includes("exceeded CPU time limit"), message);
    assertEqual(await sup.ownSecret(), "supervisor only");
  },
};

// FacetStartupOptions.id, as documented and as workerd does (checked side by side): without it
// a facet sees its parent's id and name; a string or a DurableObjectId becomes its ctx.id.
export const facetIdsFollowTheStartupOptions = {
  async test(ctrl, env, ctx) {
    const ids = await ctx.exports.Supervisor.getByName("ids").facetIds();
    assertEqual(ids.me.name, "ids");
    assertEqual(JSON.stringify(ids.inherited), JSON.stringify({ id: ids.me.id, name: "ids", props: {} }));
    assertEqual(JSON.stringify(ids.byString), JSON.stringify({ id: "my-facet", name: null, props: {} }));
    assertEqual(ids.byId.id, ids.unique);
    assertEqual(ids.byId.name, null);
    assertEqual(ids.viaNamespace, "ids", "a namespace-backed class runs as a facet too");
  },
};

export const facetNamesAreCapped = {
  async test(ctrl, env, ctx) {
    assertEqual(await ctx.exports.Supervisor.getByName("names").badName(),
      "TypeError,TypeError,TypeError");
  },
};

export const alarmsWorkInFacets = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("alarms");
    await sup.armFacetAlarm("timed");
    let alarmed = false;
    for (let i = 0; i < 100 && !alarmed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      alarmed = await sup.facetAlarmed("timed");
    }
    assert(alarmed, "the facet's alarm() ran");
  },
};

export const hugePrintfDoesNotHoldTheThread = {
  async test(ctrl, env, ctx) {
    assertEqual(await ctx.exports.Supervisor.getByName("printf").spin("printf", "hugePrintf"),
      "no error");
  },
};

export const facetAlarmSurvivesAbort = {
  async test(ctrl, env, ctx) {
    // Armed by one instance, aborted before it fires: the facet's next instance delivers it (once),
    // the old one never does.
    const sup = ctx.exports.Supervisor.getByName("alarm-abort");
    await sup.armFacetAlarm("timed", 150);
    await sup.abortFacet("timed");
    assertEqual(await sup.facetAlarmed("timed"), false);
    let alarmed = false;
    for (let i = 0; i < 100 && !alarmed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      alarmed = await sup.facetAlarmed("timed");
    }
    assert(alarmed, "the restarted facet's alarm() ran");
    // Deleted with an alarm set: nothing is left to fire.
    await sup.armFacetAlarm("gone", 50);
    await sup.remove("gone");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assertEqual(await sup.facetAlarmed("gone"), false);
  },
};

export const localClassesRunAsFacets = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("local");
    assertEqual(await sup.countLocal("x"), 1);
    assertEqual(await sup.countLocal("x"), 2);
    assertEqual(await sup.countLocal("y"), 1);
  },
};

export const facetsNestUpToTheDepthCap = {
  async test(ctrl, env, ctx) {
    const sup = ctx.exports.Supervisor.getByName("nesting");
    // Supervisor -> facet 1 -> 2 -> 3 -> 4: four levels of facets are allowed.
    assertEqual(await sup.nest(3), "bottom");
    await assertRejects(sup.nest(4), RangeError, "nested at most 4 deep");
  },
};
