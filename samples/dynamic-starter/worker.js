// Runs code sent by the browser in a fresh Dynamic Worker that cannot reach the network.

const EXAMPLE = `export default {
  async fetch(request) {
    return new Response("Hello from a Dynamic Worker at " + new URL(request.url).pathname);
  },
};`;

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>Dynamic Workers starter</title>
<textarea id="code" rows="12" cols="80">${EXAMPLE}</textarea>
<p><button id="run">Run</button></p>
<pre id="out"></pre>
<script>
  document.getElementById("run").onclick = async () => {
    const code = document.getElementById("code").value;
    const response = await fetch("/api/run", { method: "POST", body: JSON.stringify({ code }) });
    document.getElementById("out").textContent = response.status + "\\n" + await response.text();
  };
</script>
`;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/" && request.method === "GET") {
      return new Response(PAGE, { headers: { "content-type": "text/html;charset=UTF-8" } });
    }
    if (url.pathname !== "/api/run" || request.method !== "POST") {
      return new Response("Not found\n", { status: 404 });
    }

    let code;
    try {
      ({ code } = await request.json());
    } catch {
      // Not JSON: answered with the same 400 as JSON without a code string.
    }
    if (typeof code !== "string") {
      return new Response('Expected a JSON body like {"code": "export default {...}"}\n',
        { status: 400 });
    }

    try {
      const worker = env.LOADER.load({
        compatibilityDate: "2024-09-01",
        mainModule: "worker.js",
        modules: { "worker.js": code },
        // Untrusted code: no network, and a pasted infinite loop costs 100 ms, not a thread.
        globalOutbound: null,
        limits: { cpuMs: 100 },
      });
      // The body was read above and is not the child's input anyway: it gets a plain GET.
      return await worker.getEntrypoint().fetch(request.url);
    } catch (e) {
      // Startup failures (syntax errors, throws at module scope) and exceeded limits land here.
      return new Response(`${e}\n`, { status: 500 });
    }
  },
};
