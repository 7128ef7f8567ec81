// Tests for docs section "Durable Object Facets": the docs' example (app-runner.js, reached
// through the APP service binding) and the `this.ctx.facets` reference (get, abort, delete,
// FacetStartupOptions.id, "Isolate storage"), checked through ReferenceSupervisor below.
import { assert, assertEqual, assertRejects } from "assert.js";
import { DurableObject } from "cloudflare:workers";

// --- The docs' example ---

export const counterAppCountsRequests = {
  async test(ctrl, env) {
    // The docs' default export sends every request to AppRunner "my-app", whose "app" facet counts.
    const first = await env.APP.fetch("http://app/");
    assertEqual(first.status, 200);
    assertEqual(await first.text(), "You have made 1 requests.\n");
    const second = await env.APP.fetch("http://app/some/other/path", { method: "POST", body: "x" });
    assertEqual(second.status, 200);
    assertEqual(await second.text(), "You have made 2 requests.\n");
    // Concurrent requests: one facet, one counter, every number once.
    const texts = await Promise.all(
      Array.from({ length: 5 }, () => env.APP.fetch("http://app/").then((r) => r.text())));
    assertEqual(JSON.stringify(texts.sort()), JSON.stringify(
      [3, 4, 5, 6, 7].map((n) => "You have made " + n + " requests.\n")));
  },
};

// --- The ctx.facets reference ---

// The docs' dynamic App (same code as AGENT_CODE) plus probes the reference section talks about.
const PROBE_CODE = (version) => `
  import { DurableObject } from "cloudflare:workers";
  export class App extends DurableObject {
    fetch(request) {
      let counter = this.ctx.storage.kv.get("counter") || 0;
      ++counter;
      this.ctx.storage.kv.put("counter", counter);
      return new Response("${version}: You have made " + counter + " requests.\\n");
    }
    whoAmI() { return { id: this.ctx.id.toString(), name: this.ctx.id.name ?? null }; }
    tables() {
      return this.ctx.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
        .toArray().map((row) => row.name);
    }
    readKv(key) { return this.ctx.storage.kv.get(key) ?? null; }
    spin() { for (;;) {} }
    fail() { throw new TypeError("facet failure"); }
    async slowWrite() {
      await new Promise((resolve) => setTimeout(resolve, 300));
      this.ctx.storage.kv.put("late", "written after the abort");
      return "answered";
    }
    hang() { return new Promise((resolve) => setTimeout(resolve, 60000)); }
    async reachOut() {
      try { await fetch("http://example.com/"); return "fetched"; }
      catch (e) { return e.name + ": " + e.message; }
    }
  }
`;

export class ReferenceSupervisor extends DurableObject {
  facet(name, version = "v1", id = undefined) {
    return this.ctx.facets.get(name, async () => {
      const worker = this.env.LOADER.get("probe-" + version, async () => ({
        compatibilityDate: "2026-04-01",
        mainModule: "worker.js",
        modules: { "worker.js": PROBE_CODE(version) },
        globalOutbound: null,
        limits: { cpuMs: 100 },
      }));
      const options = { class: worker.getDurableObjectClass("App") };
      if (id === "unique") options.id = this.ctx.exports.ReferenceSupervisor.newUniqueId();
      else if (id !== undefined) options.id = id;
      return options;
    });
  }
  async count(name, version) {
    return (await this.facet(name, version).fetch("http://facet/")).text();
  }
  call(name, method, ...args) {
    return this.facet(name)[method](...args);
  }
  async callCatching(name, method) {
    try {
      return { ok: await this.facet(name)[method]() };
    } catch (e) {
      return { name: e.name, message: e.message };
    }
  }
  me() { return { id: this.ctx.id.toString(), name: this.ctx.id.name ?? null }; }
  whoAmIWith(name, id) { return this.facet(name, "v1", id).whoAmI(); }

  async abortThenUseStaleStub(name) {
    const stub = this.facet(name);
    const before = await (await stub.fetch("http://facet/")).text();
    this.ctx.facets.abort(name, new Error("rolled out new code"));
    let after;
    try {
      await stub.fetch("http://facet/");
      after = "stale stub still worked";
    } catch (e) {
      after = e.message;
    }
    return { before, after };
  }
  async abortDuringSlowWrite(name) {
    const pending = this.facet(name).slowWrite().then((v) => "resolved: " + v, (e) => e.message);
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.ctx.facets.abort(name, new Error("aborted mid-call"));
    const result = await pending;
    await new Promise((resolve) => setTimeout(resolve, 400));
    return { result, late: await this.facet(name).readKv("late") };
  }
  abort(name, reason) { this.ctx.facets.abort(name, reason); }
  delete(name) { this.ctx.facets.delete(name); }

  // The supervisor's own data, which the docs say a facet cannot read.
  writeOwnData() {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS billing (tenant TEXT, cents INTEGER)");
    this.ctx.storage.sql.exec("INSERT INTO billing VALUES ('acme', 1234)");
    this.ctx.storage.kv.put("counter", 1000);
    this.ctx.storage.kv.put("secret", "supervisor only");
  }
  readOwnData() {
    return {
      counter: this.ctx.storage.kv.get("counter"),
      billing: this.ctx.storage.sql.exec("SELECT cents FROM billing").one().cents,
    };
  }
}

const supervisor = (env) => env.SUPERVISOR.getByName("reference-" + crypto.randomUUID());

export const facetStorageIsIsolatedFromTheSupervisor = {
  async test(ctrl, env) {
    const sup = supervisor(env);
    await sup.writeOwnData();
    // The facet's kv "counter" is its own: 1, not the supervisor's 1000 + 1.
    assertEqual(await sup.count("app"), "v1: You have made 1 requests.\n");
    assertEqual(await sup.call("app", "readKv", "secret"), null);
    assertEqual(JSON.stringify(await sup.call("app", "tables")), "[]");
    // Each facet name has its own database.
    assertEqual(await sup.count("other"), "v1: You have made 1 requests.\n");
    assertEqual(await sup.count("app"), "v1: You have made 2 requests.\n");
    // And the facets did not touch the supervisor's.
    assertEqual(JSON.stringify(await sup.readOwnData()), JSON.stringify({ counter: 1000, billing: 1234 }));
  },
};

export const abortInvalidatesStubsAndKeepsStorage = {
  async test(ctrl, env) {
    const sup = supervisor(env);
    const { before, after } = await sup.abortThenUseStaleStub("app");
    assertEqual(before, "v1: You have made 1 requests.\n");
    // "Any subsequent call on an invalidated stub throws reason."
    assertEqual(after, "rolled out new code");
    // "After aborting, you can call get() again to restart the facet — including with a
    // different class." Storage is preserved: the count carries on under the new code.
    assertEqual(await sup.count("app", "v2"), "v2: You have made 2 requests.\n");
    // Without an abort, get() reuses the running facet and does not run the callback.
    assertEqual(await sup.count("app", "v3"), "v2: You have made 3 requests.\n");
  },
};

export const abortShutsDownTheRunningFacet = {
  async test(ctrl, env) {
    const sup = supervisor(env);
    // "Shuts down a running facet": a call in flight rejects with the reason, and the old
    // instance does not go on to write into the storage the restarted facet uses.
    const { result, late } = await sup.abortDuringSlowWrite("app");
    assertEqual(result, "aborted mid-call");
    assertEqual(late, null);
  },
};

export const deleteStartsOverWithAnEmptyDatabase = {
  async test(ctrl, env) {
    const sup = supervisor(env);
    assertEqual(await sup.count("app"), "v1: You have made 1 requests.\n");
    assertEqual(await sup.count("app"), "v1: You have made 2 requests.\n");
    await sup.delete("app");
    assertEqual(await sup.count("app"), "v1: You have made 1 requests.\n");
    // Deleting a facet that never ran is harmless.
    await sup.delete("never-started");
  },
};

export const facetIdDefaultsToTheParents = {
  async test(ctrl, env) {
    const sup = supervisor(env);
    const me = await sup.me();
    // "If omitted, the facet inherits the parent Durable Object's ID."
    assertEqual((await sup.whoAmIWith("inherit")).id, me.id);
    // A DurableObjectId given as `id` is what the facet sees as ctx.id.
    const unique = await sup.whoAmIWith("unique-id", "unique");
    assert(/^[0-9a-f]{64}$/.test(unique.id), unique.id);
    assert(unique.id !== me.id, "the facet should see the id it was given");
  },
};

export const hostileFacetsStayContained = {
  async test(ctrl, env) {
    const sup = supervisor(env);
    assertEqual(await sup.count("neighbour"), "v1: You have made 1 requests.\n");
    // A facet stuck in a loop is stopped by its worker's CPU limit; the supervisor hears of it.
    const spun = await sup.callCatching("spinner", "spin");
    assert(String(spun.message).includes("exceeded CPU time limit"), JSON.stringify(spun));
    // A facet's thrown error reaches the supervisor with its type and message.
    assertEqual(JSON.stringify(await sup.callCatching("thrower", "fail")),
      JSON.stringify({ name: "TypeError", message: "facet failure" }));
    // globalOutbound: null blocks the facet's network access.
    const reached = await sup.call("outbound", "reachOut");
    assert(reached !== "fetched" && reached.startsWith("Error") || reached.startsWith("TypeError"),
      reached);
    // The supervisor and its other facets carry on.
    assertEqual(await sup.count("neighbour"), "v1: You have made 2 requests.\n");
    assertEqual(await sup.count("spinner"), "v1: You have made 1 requests.\n");
    // And so does the docs' app, in another service.
    assertEqual((await env.APP.fetch("http://app/")).status, 200);
  },
};

export const hangingFacetDoesNotHangItsSupervisor = {
  async test(ctrl, env) {
    const sup = supervisor(env);
    // The supervisor stops waiting on a facet that does not answer (a minute away) by aborting it:
    // the pending call rejects with the abort reason.
    const hung = sup.callCatching("hanger", "hang");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sup.abort("hanger", new Error("gave up waiting"));
    // Bounded, so a call the abort does not end fails this test in 2 s instead of timing out.
    const outcome = await Promise.race([hung, new Promise((resolve) =>
      setTimeout(() => resolve({ message: "still pending 2 s after the abort" }), 2000))]);
    assertEqual(JSON.stringify(outcome), JSON.stringify({ name: "Error", message: "gave up waiting" }));
    assertEqual(await sup.count("hanger"), "v1: You have made 1 requests.\n");
  },
};

export const facetNamesAreChecked = {
  async test(ctrl, env) {
    const sup = supervisor(env);
    // The reference's `name` is a string; an unusable one should be refused, not crash anything.
    await assertRejects(sup.count(""), Error);
    assertEqual(await sup.count("ok"), "v1: You have made 1 requests.\n");
  },
};
