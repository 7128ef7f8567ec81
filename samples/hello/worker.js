export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/json") {
      return Response.json({ hello: "world", method: request.method });
    }
    return new Response(`Hello from kiln! You asked for ${url.pathname}\n`, {
      headers: { "content-type": "text/plain;charset=UTF-8" },
    });
  },
};
