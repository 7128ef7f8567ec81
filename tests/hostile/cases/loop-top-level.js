// expect: 500 exceeded CPU time limit
// A module that never finishes evaluating: the startup CPU budget must stop it.
for (;;) {}
export default { fetch() { return new Response("unreachable"); } };
