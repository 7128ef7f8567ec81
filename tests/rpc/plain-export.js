// A worker whose default export is a plain object: workerd takes RPC calls to its methods, with
// the object as `this` and env and ctx after the arguments.
export default {
  greet(name) {
    return `hi ${name}, this is ${typeof this.greet === "function" ? "the export" : "lost"}`;
  },
  argumentTypes(...args) {
    return args.map((a) => typeof a);
  },
  fetch() {
    return new Response("plain fetch");
  },
};
