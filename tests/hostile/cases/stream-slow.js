// expect: 200 chunk
// client: stream
// A response that trickles a chunk every 50 ms for ever: the client gives up after 3 s, and the
// daemon must notice and clean up.
export default {
  fetch() {
    let n = 0;
    const body = new ReadableStream({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        controller.enqueue(new TextEncoder().encode(`chunk ${n++}\n`));
      },
    });
    return new Response(body);
  },
};
