// expect: 200 chunk
// client: stream
// A response that enqueues as fast as it is pulled, for ever.
export default {
  fetch() {
    const chunk = new TextEncoder().encode("chunk ".repeat(1000) + "\n");
    const body = new ReadableStream({
      pull(controller) { controller.enqueue(chunk); },
    });
    return new Response(body);
  },
};
