// Runs code through env.LOADER.get(id, callback) with an id derived from the code, so repeated
// requests with the same code reach the same warm worker and its module state.

// Used when the request brings no code: its counter shows the warm instance being reused.
const COUNTER = `let served = 0;
export default {
  fetch() {
    served++;
    return new Response("this instance has served " + served + " request(s)\\n");
  },
};
`;

// Everything but the code that shapes the worker goes into the id as well, as the docs advise.
const SETTINGS = { compatibilityDate: "2024-09-01", mainModule: "worker.js" };

// crypto.subtle is not available, so a plain string hash: two FNV-1a-style 32-bit lanes with
// different seeds and multipliers, 64 bits in all. That tells versions apart, but it is not
// collision-resistant against code crafted on purpose, and equal code means a shared instance:
// with several tenants, put the tenant in the id too.
function hashCode(text) {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
  }
  const hex = (n) => (n >>> 0).toString(16).padStart(8, "0");
  return hex(a) + hex(b);
}

export default {
  async fetch(request, env) {
    const code = request.method === "POST" ? await request.text() : COUNTER;
    const id = `code:${hashCode(JSON.stringify(SETTINGS) + code)}`;

    // Only set when this request had no warm worker to reuse.
    let cold = false;
    const worker = env.LOADER.get(id, () => {
      cold = true;
      return { ...SETTINGS, modules: { "worker.js": code }, globalOutbound: null };
    });

    let response;
    try {
      response = await worker.getEntrypoint().fetch(request.url);
    } catch (e) {
      response = new Response(`${e}\n`, { status: 500 });
    }
    // Copied, because a response from another worker may have immutable headers.
    response = new Response(response.body, {
      status: response.status, statusText: response.statusText, headers: response.headers,
    });
    response.headers.set("x-worker-id", id);
    response.headers.set("x-cold-start", cold ? "yes" : "no");
    return response;
  },
};
