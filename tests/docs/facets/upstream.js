// Stand-in for the internet, the limits workers' globalOutbound: counts hits per tag.
const hits = new Map();
export default {
  fetch(request) {
    const url = new URL(request.url);
    const tag = url.searchParams.get("tag");
    if (url.pathname === "/count") return new Response(String(hits.get(tag) ?? 0));
    hits.set(tag, (hits.get(tag) ?? 0) + 1);
    return new Response("hit");
  },
};
