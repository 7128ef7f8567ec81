// expect: 500 EvalError
// eval must throw EvalError, as in Workers.
export default {
  fetch() {
    try {
      return new Response(`eval ran: ${eval("1 + 1")}`, { status: 200 });
    } catch (e) {
      return new Response(`${e.name}: ${e.message}`, { status: 500 });
    }
  },
};
