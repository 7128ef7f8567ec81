using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "broken", worker = (
      modules = [
        (name = "main.js", esModule = "import './lib.js'; export default {};"),
        (name = "lib.js", esModule = "const x = ;"),
      ],
      compatibilityDate = "2024-01-01",
    )),
  ],
);
