// kiln caps the dynamic workers alive at once (each is an isolate; thousands of them exhaust the
// kernel's memory mappings and V8 would abort the daemon). This config runs under
// --max-dynamic-workers=4: a start past the cap fails with an Error the parent can act on, and
// workers the parent let go of are collected to make room.
import { assert, assertEqual } from "assert.js";

const HELLO = {
  compatibilityDate: "2024-09-01",
  mainModule: "main.js",
  modules: { "main.js": `export default { fetch() { return new Response("hello"); } };` },
};

async function answer(worker) {
  try {
    return await (await worker.getEntrypoint().fetch("http://child/")).text();
  } catch (e) {
    return `${e.constructor.name}: ${e.message}`;
  }
}

// Starts `n` workers through `start` and keeps them referenced; returns what each answered.
async function startHeld(held, n, start) {
  for (let i = 0; i < n; i++) held.push(start(i));
  return Promise.all(held.map(answer));
}

export const aStartPastTheCapFails = {
  async test(ctrl, env) {
    const held = [];
    const answers = await startHeld(held, 6, (i) =>
      i % 2 ? env.LOADER.load(HELLO) : env.OTHER_LOADER.get(`named-${i}`, () => HELLO));
    assertEqual(answers.filter((a) => a === "hello").length, 4, answers.join(" | "));
    const refused = answers.filter((a) => a !== "hello");
    assertEqual(refused.length, 2);
    for (const message of refused) {
      assert(message.startsWith("Error: Failed to start Worker: kiln is running 4 dynamic workers"),
             message);
    }
  },
};

// The named workers of the test above stay warm in their cache (they are not garbage): this
// test has what is left, and load()ed workers it drops are collected to make room.
export const droppedWorkersMakeRoom = {
  async test(ctrl, env) {
    for (let round = 0; round < 5; round++) {
      const answers = await startHeld([], 1, () => env.LOADER.load(HELLO));
      assertEqual(answers[0], "hello", `round ${round}`);
    }
  },
};
