// The bystander: answers at once, so any latency the prober sees is caused by someone else.
export default {
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/pollution") {
      // Reports whether another worker's prototype pollution reached this isolate.
      return new Response(String({}.polluted ?? [].polluted ?? "clean"));
    }
    return new Response("ok");
  },
};
