export default {
  async fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/hello":
        return new Response("hello");
      case "/echo":
        return new Response(await request.text(), { headers: { "x-method": request.method } });
      case "/slow":
        await new Promise((resolve) => setTimeout(resolve, 400));
        return new Response("slow done");
      case "/forever":
        // A timer for ever: not a hang (work is pending), so only the drain deadline ends it.
        await new Promise((resolve) => setTimeout(resolve, 1e9));
        return new Response("never");
      case "/wait":
        await new Promise((resolve) => setTimeout(resolve, 60000));
        return new Response("waited");
      case "/throw":
        throw new Error("boom at request time");
      case "/flood":
        for (let i = 0; i < 20000; i++) console.log("flood line", i);
        return new Response("flooded");
      case "/not-a-response":
        return "just a string";
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
