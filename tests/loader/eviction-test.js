import { assertEqual } from "assert.js";

const COUNTER = `
  let count = 0;
  export default { fetch() { return new Response(String(++count)); } };
`;

const calls = new Map();
function code(id) {
  return () => {
    calls.set(id, (calls.get(id) ?? 0) + 1);
    return { compatibilityDate: "2024-09-01", mainModule: "main.js", modules: { "main.js": COUNTER } };
  };
}

async function hit(env, id) {
  const response = await env.LOADER.get(id, code(id)).getEntrypoint().fetch("http://child/");
  return Number(await response.text());
}

export const leastRecentlyUsedIsEvicted = {
  async test(ctrl, env) {
    assertEqual(await hit(env, "a"), 1);
    assertEqual(await hit(env, "b"), 1);
    assertEqual(await hit(env, "a"), 2, "a is warm and keeps its state");
    // A third id goes over the budget of two: b is the least recently used.
    assertEqual(await hit(env, "c"), 1);
    assertEqual(await hit(env, "a"), 3, "a survived");
    assertEqual(await hit(env, "b"), 1, "b was evicted and reloaded with fresh state");
    assertEqual(calls.get("a"), 1);
    assertEqual(calls.get("b"), 2, "the callback ran again for the evicted id");
  },
};
