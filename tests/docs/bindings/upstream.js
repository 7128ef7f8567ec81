// Stand-in for the internet (the egress loaders' and the tester's globalOutbound). Answers every
// request with a JSON description of it ({ url, method, headers }) and counts hits per ?tag=;
// /count?tag=T reads the count, /redirect?to=URL answers 302 to URL.
const hits = new Map();

export default {
  fetch(request) {
    const url = new URL(request.url);
    const tag = url.searchParams.get("tag");
    if (url.pathname === "/count") return new Response(String(hits.get(tag) ?? 0));
    hits.set(tag, (hits.get(tag) ?? 0) + 1);
    if (url.pathname === "/redirect") {
      return new Response(null, { status: 302, headers: { location: url.searchParams.get("to") } });
    }
    return Response.json({
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
    });
  },
};
