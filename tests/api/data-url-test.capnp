using Workerd = import "/workerd/workerd.capnp";

const tests :Workerd.Config = (
  services = [
    (name = "data-url", worker = (
      modules = [
        (name = "data-url-test.js", esModule = embed "data-url-test.js"),
        (name = "assert.js", esModule = embed "assert.js"),
        (name = "wpt/data-urls.json", json = embed "wpt/data-urls.json"),
      ],
      compatibilityDate = "2024-09-01",
    )),
  ],
);
