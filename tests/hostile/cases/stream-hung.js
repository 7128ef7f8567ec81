// expect: 200
// client: stream
// A response body nothing will ever feed (no timer, fetch or read pending): hung like a handler
// that never answers, so the body is cut off (curl 18) instead of held open until the client
// gives up. The daemon-level checks are the point; the harness accepts either.
export default {
  fetch() {
    return new Response(new ReadableStream({ pull() { return new Promise(() => {}); } }));
  },
};
