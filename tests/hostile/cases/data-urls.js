// expect: 200 tried
// outbound: parent
// Malformed data: URLs through fetch(), Request and URL: each may throw, none may crash. With a
// null globalOutbound fetch() refuses before looking at the URL, so this child keeps the
// parent's outbound, where the URL is parsed.
export default {
  async fetch() {
    const urls = [
      "data:", "data:,", "data:,%", "data:,%ZZ", "data:;base64,", "data:;base64,!!!!",
      "data:;base64,=", "data:;base64,A", "data:;base64,AA=A", "data:text/plain;base64,%",
      "data:text/plain;charset=,x", "data:%00,x", "data:\u0000,x", "data:a/b;c=d;base64,,,",
      "data:text/html;base64,PHNjcmlwdD4=", "data:;;;;;;;;,x", "data:" + ";".repeat(10_000) + ",x",
      "data:," + "%".repeat(10_000), "data:;base64," + "A".repeat(10_001),
      "data:\uD800,x", "data:text/plain;base64;base64,AAAA", "DATA:,x", "data:/,x",
    ];
    const outcomes = [];
    for (const url of urls) {
      for (const attempt of [() => fetch(url), () => fetch(new Request(url)), () => new URL(url)]) {
        try {
          const r = await attempt();
          if (r instanceof Response) await r.arrayBuffer();
          outcomes.push("ok");
        } catch (e) {
          outcomes.push(e.name);
        }
      }
    }
    return new Response(`tried ${outcomes.length}: ${[...new Set(outcomes)].join(", ")}`);
  },
};
