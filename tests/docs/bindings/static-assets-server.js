// Docs: Dynamic Workers > Static assets: the Dynamic Worker's code ("Use the asset binding in the
// Dynamic Worker", docs lines 3762-3799), verbatim, as the string loadServerCode() returns.
export const serverCode = `
// Inside the Dynamic Worker
export default {
  async fetch(request, env) {
    const url = new URL(request.url);

    // Handle API routes directly
    if (url.pathname.startsWith("/api/")) {
      return Response.json({ hello: "world" });
    }

    // Everything else — serve static assets
    return env.ASSETS.fetch(request);
  },
};
`;
