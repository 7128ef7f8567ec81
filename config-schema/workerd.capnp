# kiln's configuration schema.
#
# Configs import this file as "/workerd/workerd.capnp" so that a workerd config using only the
# features below runs on kiln unchanged. Struct and field names follow workerd's config; anything
# not declared here is rejected by the parser with an error naming the field, rather than ignored.

@0xc0a1d3b5e7f90213;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("kiln::config");

struct Config {
  services @0 :List(Service);
  # Every service, by name. Sockets and bindings refer to services by these names.

  sockets @1 :List(Socket);
  # Where kiln listens.

  v8Flags @2 :List(Text);
  # Passed to V8 before any isolate is created. Meant for debugging only.
}

struct Socket {
  name @0 :Text;
  # Used by `--socket-addr NAME=HOST:PORT` to override the address.

  address @1 :Text;
  # "host:port"; "*:port" listens on every interface. kiln also takes "unix:/path" (a unix
  # socket; a stale socket file at that path is replaced).

  http @2 :HttpOptions;
  # HTTP/1.1: requests go to the service's fetch() handler.

  service @3 :ServiceDesignator;

  capnp @4 :CapnpOptions;
  # kiln extension, instead of `http`: Cap'n Proto two-party RPC. The bootstrap capability is a
  # kiln.rpc.Entrypoint (config-schema/rpc.capnp) for `service`: JS RPC calls with JSON
  # arguments, and fetch().

  admin @5 :AdminOptions;
  # kiln extension, instead of `http`: the operator's socket, serving Prometheus text at
  # /metrics (and "ok" at /healthz). It takes no `service`. Bind it to loopback.
}

struct AdminOptions {
  # Reserved; the defaults are the only options so far.
}

struct CapnpOptions {
  workerLoader @0 :Text;
  # Grants the socket's peers a Worker Loader: the name of a `workerLoader` binding of the
  # socket's service, whose cache (shared if the binding has an id) and limits the peers then
  # use through Entrypoint.getLoader(). Unset: getLoader() fails; nothing else is reachable.
}

struct HttpOptions {
  # Reserved for workerd's HTTP options; kiln currently supports the defaults only.
}

struct Service {
  name @0 :Text;

  union {
    unspecified @1 :Void;
    worker @2 :Worker;
    network @3 :Network;
    external @4 :ExternalServer;
    disk @5 :DiskDirectory;
  }
}

struct ServiceDesignator {
  name @0 :Text;
  # Name of a service in Config.services.

  entrypoint @1 :Text;
  # A named export of the worker; null means the default export.

  props :union {
    empty @2 :Void;
    json @3 :Text;
    # Delivered to the entrypoint as `ctx.props`, never visible to the holder of the binding.
  }
}

struct Worker {
  modules @0 :List(Module);

  struct Module {
    name @0 :Text;
    # Other modules import this one by this name.

    union {
      esModule @1 :Text;
      commonJsModule @2 :Text;
      text @3 :Text;
      data @4 :Data;
      json @5 :Text;
    }
  }

  compatibilityDate @1 :Text;
  compatibilityFlags @2 :List(Text);

  bindings @3 :List(Binding);

  struct Binding {
    name @0 :Text;

    union {
      unspecified @1 :Void;
      text @2 :Text;
      data @3 :Data;
      json @4 :Text;
      service @5 :ServiceDesignator;
      durableObjectNamespace @6 :DurableObjectNamespaceDesignator;
      fromEnvironment @7 :Text;
      # The value of an environment variable of the kiln process, or null when unset.

      workerLoader @8 :WorkerLoader;
    }

    struct WorkerLoader {
      id @0 :Text;
      # Loaders with the same id share one cache of named workers. No id: a private cache.

      # kiln's limits for the dynamic workers this loader starts (workerd has none of these).
      # WorkerCode.limits and getEntrypoint()'s limits can only lower the per-event ones.

      cpuMs @1 :UInt32 = 30000;
      # CPU time per event (request); past it the worker's JavaScript is terminated.

      subRequests @2 :UInt32 = 1000;
      # fetch() and service calls per event.

      heapMb @3 :UInt32 = 128;
      # V8 heap per dynamic worker (ArrayBuffer memory has a budget of the same size).

      maxWarmWorkers @4 :UInt32 = 100;
      warmMemoryMb @5 :UInt32 = 512;
      # Named workers (get()) kept warm per id cache and thread, least recently used evicted
      # first.

      maxEnvKb @6 :UInt32 = 1024;
      # Serialized size cap of WorkerCode.env.
    }
  }

  globalOutbound @4 :ServiceDesignator = (name = "internet");
  # Where `fetch()` goes. The default, "internet", is provided implicitly unless the config
  # declares a service of that name.

  durableObjectNamespaces @5 :List(DurableObjectNamespace);

  struct DurableObjectNamespace {
    className @0 :Text;

    union {
      uniqueKey @1 :Text;
      ephemeralLocal @2 :Void;
    }

    preventEviction @3 :Bool;
    # Keep objects in memory however long they are idle.

    enableSql @4 :Bool;

    evictAfterIdleMs @5 :UInt32 = 30000;
    # kiln extension: an object idle this long (no event in flight, no facets, no pending
    # alarm) is dropped from memory and comes back from its file on its next event.
  }

  durableObjectStorage :union {
    none @6 :Void;
    inMemory @7 :Void;
    localDisk @8 :Text;
    # Name of a writable `disk` service.
  }

  tails @9 :List(ServiceDesignator);
  # Each gets tail([traceItem]) after every event of this worker.

  streamingTails @10 :List(ServiceDesignator);
  # Each gets tailStream(onset) and then its handler each of the event's later events
  # (log, exception, return, outcome), delivered together once the event ends.
}

struct DurableObjectNamespaceDesignator {
  className @0 :Text;
  serviceName @1 :Text;
  # Defaults to the worker that declares the binding.
}

struct Network {
  allow @0 :List(Text) = ["public"];
  deny @1 :List(Text);
  # Address classes and CIDRs, as in workerd: "public", "private", "local", "network",
  # "unix", "abstract-unix", "1.2.3.0/24".
}

struct ExternalServer {
  address @0 :Text;
  # "host:port" of an HTTP server that requests to this service are forwarded to.

  http @1 :HttpOptions;
}

struct DiskDirectory {
  path @0 :Text;
  writable @1 :Bool = false;
  allowDotfiles @2 :Bool = false;
}
