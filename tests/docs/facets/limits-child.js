// The Dynamic Worker the "Custom limits" examples run (the docs leave `code` to the reader).
// GET /spin loops forever; /?n=N&tag=T makes N subrequests to the upstream stand-in, catching
// each error and answering with a JSON list of statuses and errors; /uncaught?n=N lets them throw.
export const code = `
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/spin") for (;;) {}
    const n = Number(url.searchParams.get("n") ?? 0);
    const target = "http://upstream/hit?tag=" + url.searchParams.get("tag");
    const results = [];
    for (let i = 0; i < n; i++) {
      if (url.pathname === "/uncaught") {
        results.push((await fetch(target)).status);
        continue;
      }
      try {
        results.push((await fetch(target)).status);
      } catch (e) {
        results.push(e.name + ": " + e.message);
      }
    }
    return Response.json(results);
  },
};
`;
