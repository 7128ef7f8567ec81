// Stand-in for the docs' MY_CODE_STORAGE (getting started, "Reusing a Dynamic Worker across
// requests"): get(key) returns a module's source, or null like KV for an unknown key. It counts
// the reads so the tester can tell whether get()'s callback ran.
import { WorkerEntrypoint } from "cloudflare:workers";

// The code stored as "hello-v1": counts its requests (a warm worker keeps counting) and reports
// what its fetch() does, since the docs load it with globalOutbound: null.
const HELLO_V1 = `
let requests = 0;
export default {
  async fetch(request) {
    if (new URL(request.url).pathname === "/network") {
      try {
        await fetch("https://example.com/");
        return new Response("network reachable");
      } catch (e) {
        return new Response("network blocked: " + e.name);
      }
    }
    requests++;
    return new Response("Hello from hello-v1, request " + requests);
  },
};
`;

const reads = [];

export class CodeStorage extends WorkerEntrypoint {
  get(key) {
    reads.push(key);
    return key === "hello-v1" ? HELLO_V1 : null;
  }
  reads() {
    return reads;
  }
}
