using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "a", worker = (
      modules = [(name = "w.js", esModule = "export default { fetch() { return new Response('') } }")],
      compatibilityDate = "2024-01-01",
    )),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (),
              service = (name = "a", entrypoint = "Missing"))],
);
