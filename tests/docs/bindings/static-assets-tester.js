// Tests for docs section "Static assets": after an upload, the Dynamic Worker answers /api/ routes
// itself and serves every other path from its own project's assets, with the right content type.
import { assert, assertEqual } from "assert.js";

export const servesAssetsAndApiRoutes = {
  async test(ctrl, env) {
    assertEqual(await (await env.UPLOAD.fetch("http://alpha.example/", { method: "POST" })).text(), "deployed");

    const api = await env.LOADER_APP.fetch("http://alpha.example/api/anything");
    assertEqual(api.status, 200);
    assertEqual(JSON.stringify(await api.json()), '{"hello":"world"}');

    const page = await env.LOADER_APP.fetch("http://alpha.example/index.html");
    const html = await page.text();
    assertEqual(page.status, 200, html);
    assert(page.headers.get("content-type").startsWith("text/html"), page.headers.get("content-type"));
    assert(html.includes("Hello from static assets"), html);

    const css = await env.LOADER_APP.fetch("http://alpha.example/style.css");
    assertEqual(css.status, 200);
    assert(css.headers.get("content-type").startsWith("text/css"), css.headers.get("content-type"));
    assertEqual(await css.text(), "h1 { color: orange; }");

    const missing = await env.LOADER_APP.fetch("http://alpha.example/nope.png");
    assertEqual(missing.status, 404);
  },
};

export const projectsAreIsolated = {
  async test(ctrl, env) {
    await env.UPLOAD.fetch("http://alpha.example/", { method: "POST" });
    // A project with nothing uploaded has no manifest, and never sees alpha's files.
    const other = await env.LOADER_APP.fetch("http://beta.example/index.html");
    assertEqual(other.status, 404);
    assertEqual(await other.text(), "No assets found");
    assertEqual(await env.KV.get("project/beta/manifest"), null);
  },
};
