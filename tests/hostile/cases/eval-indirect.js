// expect: 200 all blocked
// The other doors to code generation: indirect eval and the constructors of async, generator
// and async generator functions, reachable from any function literal.
export default {
  fetch() {
    const doors = {
      "indirect eval": () => (0, eval)("1"),
      "globalThis.eval": () => globalThis.eval("1"),
      "Function via constructor": () => (() => {}).constructor("return 1")(),
      "AsyncFunction": () => (async () => {}).constructor("return 1"),
      "GeneratorFunction": () => (function* () {}).constructor("yield 1"),
      "AsyncGeneratorFunction": () => (async function* () {}).constructor("yield 1"),
      "Reflect.construct(Function)": () => Reflect.construct(Function, ["return 1"]),
    };
    const escaped = [];
    for (const [name, door] of Object.entries(doors)) {
      try { door(); escaped.push(`${name}: ran`); } catch (e) {
        if (e.name !== "EvalError") escaped.push(`${name}: ${e.name}: ${e.message}`);
      }
    }
    return escaped.length ? new Response(escaped.join("\n"), { status: 500 })
                          : new Response("all blocked");
  },
};
