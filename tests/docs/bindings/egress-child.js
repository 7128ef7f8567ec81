// The Dynamic Worker's code (`code` in the docs' egress examples, which leave it to the reader):
// fetch()es ?target= (or connect()s to ?connect=host:port) and answers with what came back, or,
// with status 599, with what was thrown.
export const code = `
  import { connect } from "cloudflare:sockets";
  export default {
    async fetch(request) {
      const url = new URL(request.url);
      try {
        if (url.searchParams.has("connect")) {
          const socket = connect(url.searchParams.get("connect"));
          await socket.opened;
          return new Response("connected");
        }
        const response = await fetch(url.searchParams.get("target"), { headers: { "x-from": "child" } });
        return new Response(await response.text(), { status: response.status });
      } catch (e) {
        return new Response(e.name + ": " + e.message, { status: 599 });
      }
    },
  };
`;
