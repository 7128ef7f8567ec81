// Docs: Dynamic Workers > Bindings > "How it works", steps 1-3 (docs lines 1561-1660). TypeScript
// only in the docs: the type annotations are removed. Step 1's ChatRoom (an empty post()) is the
// same class as step 3's, so step 3's is the one exported. The docs leave postToChat(), ALICE_KEY
// and BOB_KEY to the reader (stand-ins below: the CHAT service, env.ALICE_KEY, env.BOB_KEY), and
// step 2's load() says only "// ..." for the rest of the WorkerCode: AGENT below, whose Agent
// entrypoint runs the step 2 "Inside the Dynamic Worker" line.
import { WorkerEntrypoint } from "cloudflare:workers";
import { env as loaderEnv } from "cloudflare:workers";

// --- verbatim from the docs (Bindings, step 3, "Inside that method, you can read the props") ---
export class ChatRoom extends WorkerEntrypoint {
  async post(text) {
    // Props are set when the stub is created — the Dynamic Worker never sees them
    let roomName = this.ctx.props.roomName;
    await postToChat(roomName, text);
  }
}
// --- end ---

async function postToChat(roomName, text) {
  await loaderEnv.CHAT.post(null, roomName, text);
}

const AGENT = {
  compatibilityDate: "2026-05-08",
  mainModule: "index.js",
  modules: {
    "index.js": `
      import { WorkerEntrypoint } from "cloudflare:workers";
      export class Agent extends WorkerEntrypoint {
        async run() {
          // --- verbatim from the docs (Bindings, step 2, "Inside the Dynamic Worker") ---
          // Inside the Dynamic Worker
          await this.env.CHAT_ROOM.post("Hello!");
          // --- end ---
          // All it has: the stub, whose props stay in the loader.
          return Object.keys(this.env);
        }
      }
    `,
  },
  globalOutbound: null,
};

async function step2(env, ctx) {
  // --- verbatim from the docs (Bindings, step 2, "Pass it to the Dynamic Worker") ---
  let chatRoom = ctx.exports.ChatRoom({ props: { roomName: "#bot-chat" } });

  let worker = env.LOADER.load({
    env: { CHAT_ROOM: chatRoom },
    // ...
    ...AGENT, // (not in the docs: what "// ..." stands for)
  });
  // --- end ---
  return [await worker.getEntrypoint("Agent").run()];
}

async function step3(env, ctx) {
  const { ALICE_KEY, BOB_KEY } = env;
  // --- verbatim from the docs (Bindings, step 3, "Customize per user with props") ---
  // Same class, different props per user
  let aliceRoom = ctx.exports.ChatRoom({ props: { roomName: "#alice", apiKey: ALICE_KEY } });
  let bobRoom   = ctx.exports.ChatRoom({ props: { roomName: "#bob", apiKey: BOB_KEY } });
  // --- end ---
  const results = [];
  for (const room of [aliceRoom, bobRoom]) {
    const worker = env.LOADER.load({ env: { CHAT_ROOM: room }, ...AGENT });
    results.push(await worker.getEntrypoint("Agent").run());
  }
  return results;
}

export default {
  async fetch(request, env, ctx) {
    const step = new URL(request.url).pathname === "/step3" ? step3 : step2;
    return Response.json(await step(env, ctx));
  },
};
