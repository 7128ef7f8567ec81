// expect: 500
// The same recursion left uncaught: an ordinary 500 from the child, the daemon unharmed.
export default {
  fetch() {
    const down = (n) => down(n + 1) + 1;
    return new Response(String(down(0)));
  },
};
