// Stand-in for the chat service the docs' postToChat() talks to: records each message with the
// API key it came with; take(room) hands the tester a room's messages (and forgets them).
import { WorkerEntrypoint } from "cloudflare:workers";

const rooms = new Map();

export class ChatService extends WorkerEntrypoint {
  post(apiKey, roomName, text) {
    if (!rooms.has(roomName)) rooms.set(roomName, []);
    rooms.get(roomName).push({ apiKey, text });
  }

  take(roomName) {
    const messages = rooms.get(roomName) ?? [];
    rooms.delete(roomName);
    return messages;
  }
}
