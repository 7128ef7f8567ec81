// Docs: Dynamic Workers > Bindings > "Example: Chat room agent" (docs lines 1661-1775). The docs
// give only TypeScript here: this is it with the type annotations and the `type ChatRoomProps`
// declaration removed, nothing else changed. The docs leave postToChat() and apiKey to the
// reader: postToChat() posts to the CHAT stand-in (chat-service.js), apiKey is env.CHAT_API_KEY.
import { env as loaderEnv } from "cloudflare:workers";
import { withDocsFixes } from "docs-fixes.js";

// --- verbatim from the docs (Bindings, "Example: Chat room agent", the ChatRoom class) ---
import { WorkerEntrypoint } from "cloudflare:workers";

export class ChatRoom extends WorkerEntrypoint {
  async post(text) {
    let { apiKey, botName, roomName } = this.ctx.props;

    // Prefix the message with the bot's name.
    text = `[${botName}]: ${text}`;

    // Send it to the chat service.
    await postToChat(apiKey, roomName, text);
  }
}
// --- end ---

async function postToChat(apiKey, roomName, text) {
  await loaderEnv.CHAT.post(apiKey, roomName, text);
}

// The second fragment ends in `return worker.getEntrypoint("Agent").run();`: it is the body of
// this function, which the fetch handler calls (run() resolves to nothing, so the handler
// answers "agent ran" once it has).
async function runAgent(env, ctx, apiKey) {
  // --- verbatim from the docs (Bindings, "Example: Chat room agent", "Now pass it to a Dynamic Worker") ---
  // Create a stub scoped to a specific room.
  let chatRoom = ctx.exports.ChatRoom({
    props: {
      apiKey,
      roomName: "#bot-chat",
      botName: "Robo",
    },
  });

  let worker = env.LOADER.load({
    env: {
      CHAT_ROOM: chatRoom,
    },
    compatibilityDate: "$today",
    mainModule: "index.js",
    modules: {
      "index.js": `
        export class Agent extends WorkerEntrypoint {
          async run() {
            // This is all the Dynamic Worker sees.
            await this.env.CHAT_ROOM.post("Hello!");
          }
        }
      `,
    },
    globalOutbound: null,
  });

  return worker.getEntrypoint("Agent").run();
  // --- end ---
}

export default {
  async fetch(request, env, ctx) {
    const result = await runAgent(withDocsFixes(env, request), ctx, env.CHAT_API_KEY);
    return new Response(`agent ran: ${result}`);
  },
};
