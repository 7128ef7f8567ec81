// expect: 500 number of active timeouts
// A million pending timers: Workers refuses past a cap with QuotaExceededError ("You have
// exceeded the number of active timeouts you may set"), instead of running out of memory.
export default {
  fetch() {
    try {
      for (let i = 0; i < 1e6; i++) setTimeout(() => {}, 1e6);
    } catch (e) {
      return new Response(`${e.name}: ${e.message}`, { status: 500 });
    }
    return new Response("a million timers were accepted", { status: 500 });
  },
};
