// expect: 500 EvalError
// new Function must throw EvalError, as in Workers.
export default {
  fetch() {
    try {
      return new Response(`new Function ran: ${new Function("return 1 + 1")()}`, { status: 200 });
    } catch (e) {
      return new Response(`${e.name}: ${e.message}`, { status: 500 });
    }
  },
};
