// expect: 200 ^JSON.stringify: (caught|no error)
// Deep nesting handed to native code (JSON, structured clone, Response.json): recursion in C++
// must hit a stack check, not overflow the thread's stack. The child reports what each did.
export default {
  async fetch() {
    const root = [];
    let node = root;
    for (let i = 0; i < 20_000; i++) { const next = []; node.push(next); node = next; }
    const results = [];
    for (const [name, f] of [
      ["JSON.stringify", () => JSON.stringify(root)],
      ["structuredClone", () => structuredClone(root)],
      ["Response.json", () => Response.json(root)],
    ]) {
      try { f(); results.push(`${name}: no error`); } catch (e) { results.push(`${name}: caught ${e.name}`); }
    }
    return new Response(results.join("\n"));
  },
};
