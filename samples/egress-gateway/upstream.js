// Stands in for the third-party API: checks the credential like a real API would, and echoes
// the rest of the request. The token itself is never reflected, since the echo goes back to the
// child that must not learn it.
export default {
  async fetch(request, env) {
    const authorized = request.headers.get("authorization") === `Bearer ${env.API_TOKEN}`;
    const headers = Object.fromEntries(request.headers);
    headers.authorization = authorized ? "(the API token)" : "(not the API token)";
    return Response.json({ authorized, method: request.method, url: request.url, headers },
      { status: authorized ? 200 : 401 });
  },
};
