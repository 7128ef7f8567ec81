using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "a", worker = (modules = [], compatibilityDate = "2024-01-01") ]
);
