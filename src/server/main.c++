// kiln's command line: `kiln serve CONFIG` and `kiln test CONFIG [FILTER]`.

#include "src/io/runtime.h"
#include "src/js/platform.h"
#include "src/loader/loader.h"
#include "src/server/config.h"
#include "src/server/server.h"
#include "src/util/log.h"

#include <kj/async-unix.h>
#include <kj/debug.h>
#include <kj/mutex.h>
#include <kj/thread.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <cstring>
#include <thread>
#include <unistd.h>

namespace kiln::server {
namespace {

const char USAGE[] =
    "usage: kiln serve CONFIG [CONST] [--socket-addr NAME=HOST:PORT|unix:PATH]... [--threads N]\n"
    "                  [--log-format=text|json] [--max-dynamic-workers N]\n"
    "       kiln test CONFIG [FILTER] [--timeout=SECONDS] [--force-gc]\n"
    "\n"
    "serve  runs the config's sockets until SIGTERM or SIGINT, then finishes in-flight requests\n"
    "test   runs every exported test() handler of every worker; FILTER matches\n"
    "       \"service:export\" by substring\n";

int usage(kj::StringPtr problem) {
  fprintf(stderr, "kiln: %s\n\n%s", problem.cStr(), USAGE);
  return 2;
}

int reportErrors(const ConfigErrors& errors) {
  for (auto& error: errors.list())
    fprintf(stderr, "%s\n", error.cStr());
  return 2;
}

struct BoundSocket {
  config::Socket::Reader socket;
  int fd;
  kj::String url;
};

kj::StringPtr schemeOf(config::Socket::Reader socket) {
  return socket.hasCapnp() ? "capnp"_kj : "http"_kj;
}

// "unix:/path": a stale socket file from an earlier run is replaced; any other file is not.
kj::Maybe<BoundSocket> bindUnixSocket(const ParsedConfig& config, config::Socket::Reader socket,
                                      kj::StringPtr address, ConfigErrors& errors) {
  auto path = address.slice(strlen("unix:"));
  auto fail = [&](kj::StringPtr why) {
    errors.add(config.locate(address, kj::str("socket \"", socket.getName(),
                                              "\": cannot listen on ", address, ": ", why)));
  };
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() == 0 || path.size() >= sizeof(addr.sun_path)) {
    fail("the path must have 1 to 107 bytes");
    return nullptr;
  }
  memcpy(addr.sun_path, path.begin(), path.size());
  struct stat st;
  if (lstat(path.cStr(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    unlink(path.cStr());
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  KJ_ASSERT(fd >= 0);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 1024) != 0) {
    int error = errno;
    close(fd);
    fail(strerror(error));
    return nullptr;
  }
  return BoundSocket{socket, fd, kj::str(schemeOf(socket), "+", address)};
}

// Binds in the main thread, before any worker starts, so that a bad address or a port in use is
// a config error (exit 2); every event-loop thread then accepts on its own dup() of the socket.
kj::Maybe<BoundSocket> bindSocket(const ParsedConfig& config, config::Socket::Reader socket,
                                  ConfigErrors& errors) {
  auto address = config.socketAddress(socket);
  if (address.startsWith("unix:")) {
    return bindUnixSocket(config, socket, address, errors);
  }
  kj::String host;
  unsigned port;
  KJ_ASSERT(parseHostPort(address, host, port));
  kj::String lookup = host == "*"            ? kj::str("0.0.0.0")
                      : host.startsWith("[") ? kj::heapString(host.slice(1, host.size() - 1))
                                             : kj::heapString(host);
  struct addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  struct addrinfo* info = nullptr;
  int rc = getaddrinfo(lookup.cStr(), kj::str(port).cStr(), &hints, &info);
  if (rc != 0 || info == nullptr) {
    errors.add(
        config.locate(address, kj::str("socket \"", socket.getName(), "\": cannot resolve \"",
                                       address, "\": ", gai_strerror(rc))));
    return nullptr;
  }
  KJ_DEFER(freeaddrinfo(info));
  int fd = ::socket(info->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  KJ_ASSERT(fd >= 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, info->ai_addr, info->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
    int error = errno;
    close(fd);
    errors.add(
        config.locate(address, kj::str("socket \"", socket.getName(), "\": cannot listen on ",
                                       address, ": ", strerror(error))));
    return nullptr;
  }
  struct sockaddr_storage bound;
  socklen_t len = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  char text[INET6_ADDRSTRLEN] = "";
  unsigned actualPort = 0;
  if (bound.ss_family == AF_INET) {
    auto in = reinterpret_cast<sockaddr_in*>(&bound);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    actualPort = ntohs(in->sin_port);
  } else {
    auto in6 = reinterpret_cast<sockaddr_in6*>(&bound);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    actualPort = ntohs(in6->sin6_port);
  }
  auto shown = bound.ss_family == AF_INET6 ? kj::str("[", text, "]") : kj::str(text);
  return BoundSocket{socket, fd,
                     kj::str(socket.hasCapnp() ? "capnp://" : "http://", shown, ":", actualPort,
                             socket.hasAdmin() ? "/metrics" : "")};
}

struct ThreadControl {
  kj::MutexGuarded<kj::Maybe<const kj::Executor&>> executor;
  kj::Own<kj::PromiseFulfiller<void>> stop;  // Touched only on the thread itself.
  bool started = false;
};

void serveOnThisThread(const ParsedConfig& config, kj::ArrayPtr<BoundSocket> sockets,
                       kj::AsyncIoContext& io, Server& server) {
  for (auto& bound: sockets) {
    int fd = dup(bound.fd);
    KJ_ASSERT(fd >= 0);
    server.listen(bound.socket, io.lowLevelProvider->wrapListenSocketFd(
                                    fd, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP));
  }
}

int serve(kj::StringPtr configPath, kj::Maybe<kj::StringPtr> constName,
          kj::ArrayPtr<const kj::String> overrides, unsigned threads) {
  ConfigErrors errors;
  kj::Own<ParsedConfig> config;
  KJ_IF_MAYBE (c, ParsedConfig::load(configPath, constName, overrides, errors)) {
    config = kj::mv(*c);
  } else {
    return reportErrors(errors);
  }
  // Signals are taken by the main thread's event loop. Every thread started later (V8's
  // platform threads included) inherits the blocked mask, so this must come first.
  kj::UnixEventPort::captureSignal(SIGTERM);
  kj::UnixEventPort::captureSignal(SIGINT);
  signal(SIGPIPE, SIG_IGN);
  kj::Vector<kj::String> flags;
  for (auto flag: config->get().getV8Flags())
    flags.add(kj::str(flag));
  js::initializeV8(flags);
  auto io = kj::setupAsyncIo();

  // One live instance per Durable Object id in the process: workers with Durable Objects run
  // on a single event loop (every thread would otherwise have its own copy of each object).
  for (auto service: config->get().getServices()) {
    if (threads > 1 && service.isWorker() &&
        service.getWorker().getDurableObjectNamespaces().size() > 0) {
      logLine("info", "kiln",
              kj::str("service \"", service.getName(),
                      "\" has Durable Objects; "
                      "serving on one event loop"));
      threads = 1;
    }
  }

  kj::Vector<BoundSocket> sockets;
  for (auto socket: config->get().getSockets()) {
    KJ_IF_MAYBE (bound, bindSocket(*config, socket, errors)) {
      sockets.add(kj::mv(*bound));
    }
  }
  if (!errors.empty())
    return reportErrors(errors);

  // Not destroyed at exit, for the same reason as in test().
  auto& server = *new Server(*config, io);
  if (!server.start(io.waitScope, errors))
    return reportErrors(errors);
  serveOnThisThread(*config, sockets, io, server);

  // The other cores each run a full replica of the service graph on their own event loop.
  kj::Vector<kj::Own<ThreadControl>> controls;
  kj::Vector<kj::Own<kj::Thread>> pool;
  for (unsigned i = 1; i < threads; i++) {
    auto control = kj::heap<ThreadControl>();
    auto& ctl = *control;
    pool.add(kj::heap<kj::Thread>([&config, &sockets, &ctl]() {
      auto threadIo = kj::setupAsyncIo();
      auto& replica = *new Server(*config, threadIo);
      ConfigErrors ignored;  // The main thread already started the same workers successfully.
      if (!replica.start(threadIo.waitScope, ignored)) {
        for (auto& e: ignored.list())
          logLine("error", "kiln", e);
        *ctl.executor.lockExclusive() = kj::getCurrentThreadExecutor();
        return;
      }
      serveOnThisThread(*config, sockets, threadIo, replica);
      auto paf = kj::newPromiseAndFulfiller<void>();
      ctl.stop = kj::mv(paf.fulfiller);
      ctl.started = true;
      *ctl.executor.lockExclusive() = kj::getCurrentThreadExecutor();
      paf.promise.wait(threadIo.waitScope);
      replica.drain().wait(threadIo.waitScope);
    }));
    controls.add(kj::mv(control));
  }
  for (auto& control: controls) {
    control->executor.when([](const kj::Maybe<const kj::Executor&>& e) { return e != nullptr; },
                           [](const kj::Maybe<const kj::Executor&>&) {});
  }
  for (auto& bound: sockets) {
    logLine("info", "kiln",
            kj::str("listening on ", bound.url, " (socket \"", bound.socket.getName(), "\", ",
                    threads, " threads)"));
  }

  auto signalled =
      io.unixEventPort.onSignal(SIGTERM).exclusiveJoin(io.unixEventPort.onSignal(SIGINT));
  auto info = signalled.wait(io.waitScope);
  logLine("info", "kiln",
          kj::str("received ", strsignal(info.si_signo), "; finishing in-flight requests"));

  for (auto& control: controls) {
    auto& ctl = *control;
    KJ_IF_MAYBE (executor, *ctl.executor.lockShared()) {
      executor->executeSync([&ctl]() {
        if (ctl.started)
          ctl.stop->fulfill();
      });
    }
  }
  server.drain().wait(io.waitScope);
  pool.clear();  // Joins: each thread returns once drained.
  for (auto& bound: sockets)
    close(bound.fd);
  logLine("info", "kiln", "stopped");
  return 0;
}

int test(kj::StringPtr configPath, kj::Maybe<kj::StringPtr> filter, unsigned timeoutSeconds) {
  ConfigErrors errors;
  kj::Own<ParsedConfig> config;
  KJ_IF_MAYBE (c, ParsedConfig::load(configPath, nullptr, nullptr, errors)) {
    config = kj::mv(*c);
  } else {
    return reportErrors(errors);
  }
  js::initializeV8();
  signal(SIGPIPE, SIG_IGN);
  auto io = kj::setupAsyncIo();
  // Never destroyed: the process exits right after the tests, and tearing workers down one by
  // one while others still hold requests to them would only add ways to fail.
  auto& server = *new Server(*config, io);
  if (!server.start(io.waitScope, errors))
    return reportErrors(errors);

  // CPU stops at 90% of the timeout: a spinning test (sliced, so the timer can fire) then fails
  // for its CPU, which names the cause, rather than racing the wall-clock timeout.
  io::setProcessCpuCeiling(int64_t(timeoutSeconds) * 900000000);
  unsigned passed = 0, failed = 0;
  for (auto& entry: server.getWorkers()) {
    auto serviceName = kj::get<0>(entry);
    auto& worker = *kj::get<1>(entry);
    for (auto& name: worker.listTests()) {
      auto fullName = kj::str(serviceName, ":", name);
      KJ_IF_MAYBE (f, filter) {
        if (strstr(fullName.cStr(), f->cStr()) == nullptr)
          continue;
      }
      // Named before it runs, so that a test that takes the process down is still identified.
      printf("[ RUN  ] %s\n", fullName.cStr());
      fflush(stdout);
      // The timeout is wall time for a test that waits for ever; as a CPU limit it also stops
      // one that spins (which the timer, on the same thread, could not interrupt).
      auto timeout = io.provider->getTimer()
                         .afterDelay(timeoutSeconds * kj::SECONDS)
                         .then([timeoutSeconds]() -> kj::Maybe<kj::String> {
                           return kj::str("test timed out after ", timeoutSeconds,
                                          " s (kiln test --timeout=SECONDS)");
                         });
      auto result = worker.runTest(name, io::IoLimits{0, timeoutSeconds * 900})
                        .exclusiveJoin(kj::mv(timeout))
                        .wait(io.waitScope);
      KJ_IF_MAYBE (failure, result) {
        ++failed;
        printf("[ FAIL ] %s\n%s\n", fullName.cStr(), failure->cStr());
      } else {
        ++passed;
        printf("[ PASS ] %s\n", fullName.cStr());
      }
      fflush(stdout);
    }
    worker.onBackgroundIdle().wait(io.waitScope);
  }
  if (passed + failed == 0) {
    printf("no tests found%s\n", filter == nullptr ? "" : " matching the filter");
  }
  printf("%u passed, %u failed\n", passed, failed);
  fflush(stdout);
  fflush(stderr);
  // Work the tests left behind (a response body nobody read) would make the event loop's
  // teardown complain; like `serve`, the process ends without tearing anything down.
  _exit(failed == 0 && passed > 0 ? 0 : 1);
}

int run(int argc, char** argv) {
  if (argc < 2)
    return usage("missing command");
  kj::StringPtr command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    printf("%s", USAGE);
    return 0;
  }
  kj::Vector<kj::StringPtr> positional;
  kj::Vector<kj::String> overrides;
  unsigned threads = kj::max(1u, std::thread::hardware_concurrency());
  unsigned testTimeout = 30;
  for (int i = 2; i < argc; i++) {
    kj::StringPtr arg = argv[i];
    if (arg == "--socket-addr" && i + 1 < argc) {
      overrides.add(kj::str(argv[++i]));
    } else if (arg.startsWith("--socket-addr=")) {
      overrides.add(kj::str(arg.slice(strlen("--socket-addr="))));
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = atoi(argv[++i]);
      if (threads < 1 || threads > 256)
        return usage("--threads takes a number from 1 to 256");
    } else if (arg.startsWith("--max-dynamic-workers=") ||
               (arg == "--max-dynamic-workers" && i + 1 < argc)) {
      // Dynamic workers alive at once, process-wide (loader.h: why there is a cap).
      kj::StringPtr value = arg == "--max-dynamic-workers"
                                ? kj::StringPtr(argv[++i])
                                : arg.slice(strlen("--max-dynamic-workers="));
      char* end;
      long max = strtol(value.cStr(), &end, 10);
      if (value.size() == 0 || *end != '\0' || max < 1 || max > 100000)
        return usage("--max-dynamic-workers takes a number from 1 to 100000");
      loader::setMaxLiveWorkers(max);
    } else if (arg == "--force-gc" && command == "test") {
      io::setForceGc(true);
    } else if (arg.startsWith("--timeout=") && command == "test") {
      testTimeout = atoi(arg.cStr() + strlen("--timeout="));
      if (testTimeout < 1 || testTimeout > 86400)
        return usage("--timeout takes a number of seconds from 1 to 86400");
    } else if (arg.startsWith("--log-format=")) {
      auto format = arg.slice(strlen("--log-format="));
      if (format == "json") {
        setLogFormat(LogFormat::JSON);
      } else if (format != "text") {
        return usage("--log-format is text or json");
      }
    } else if (arg.startsWith("-")) {
      return usage(kj::str("unknown option ", arg));
    } else {
      positional.add(arg);
    }
  }
  if (command == "serve") {
    if (positional.size() < 1 || positional.size() > 2)
      return usage("serve takes CONFIG [CONST]");
    return serve(positional[0],
                 positional.size() > 1 ? kj::Maybe<kj::StringPtr>(positional[1]) : nullptr,
                 overrides, threads);
  } else if (command == "test") {
    if (positional.size() < 1 || positional.size() > 2)
      return usage("test takes CONFIG [FILTER]");
    return test(positional[0],
                positional.size() > 1 ? kj::Maybe<kj::StringPtr>(positional[1]) : nullptr,
                testTimeout);
  }
  return usage(kj::str("unknown command \"", command, "\""));
}

}  // namespace
}  // namespace kiln::server

int main(int argc, char** argv) {
  // Under `bazel run`, resolve relative paths against the caller's folder, not the runfiles.
  if (const char* dir = getenv("BUILD_WORKING_DIRECTORY")) {
    if (chdir(dir) != 0)
      perror("kiln: chdir to BUILD_WORKING_DIRECTORY");
  }
  int code = 1;
  KJ_IF_MAYBE (exception,
               kj::runCatchingExceptions([&]() { code = kiln::server::run(argc, argv); })) {
    fprintf(stderr, "kiln: internal error: %s\n", exception->getDescription().cStr());
    return 70;
  }
  fflush(stdout);
  // Skip static destructors and V8 teardown: worker threads are joined and nothing is pending.
  _exit(code);
}
