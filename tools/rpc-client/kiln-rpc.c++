// A small Cap'n Proto client for kiln's `capnp` sockets (config-schema/rpc.capnp):
//   kiln-rpc HOST:PORT call METHOD '[JSON, args]'   prints the JSON result
//   kiln-rpc HOST:PORT fetch URL                     prints status and body
//   kiln-rpc HOST:PORT load [OPTIONS] FILE.js METHOD '[JSON, args]'
//       starts FILE.js as a dynamic worker through the socket's Worker Loader (if the config
//       grants one) and calls METHOD on it, all in one pipelined round trip. OPTIONS:
//       --id ID (get() a named, warm worker instead of load()), --entrypoint NAME,
//       --props JSON, --env JSON, --main NAME (WorkerCode.mainModule; FILE.js is "main.js"),
//       --allow-outbound (fetch() through the granting worker's globalOutbound).
// Exits 1 with the error on stderr when the call fails (e.g. the method threw).

#include "config-schema/rpc.capnp.h"

#include <capnp/ez-rpc.h>
#include <kj/debug.h>
#include <kj/filesystem.h>
#include <cstdio>
#include <cstring>

namespace {

struct LoadArgs {
  const char* id = nullptr;
  const char* entrypoint = "";
  const char* props = "";
  const char* env = nullptr;
  const char* main = "main.js";
  bool allowOutbound = false;
  const char* file = nullptr;
  const char* method = nullptr;
  const char* params = nullptr;
};

bool parseLoadArgs(int argc, char** argv, LoadArgs& out) {
  int i = 3;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
    auto flag = argv[i];
    if (strcmp(flag, "--allow-outbound") == 0) {
      out.allowOutbound = true;
      continue;
    }
    if (i + 1 >= argc)
      return false;
    auto value = argv[++i];
    if (strcmp(flag, "--id") == 0) {
      out.id = value;
    } else if (strcmp(flag, "--entrypoint") == 0) {
      out.entrypoint = value;
    } else if (strcmp(flag, "--props") == 0) {
      out.props = value;
    } else if (strcmp(flag, "--env") == 0) {
      out.env = value;
    } else if (strcmp(flag, "--main") == 0) {
      out.main = value;
    } else {
      return false;
    }
  }
  if (argc - i != 3)
    return false;
  out.file = argv[i];
  out.method = argv[i + 1];
  out.params = argv[i + 2];
  return true;
}

kj::String readFile(const char* path) {
  auto fs = kj::newDiskFilesystem();
  auto& dir = path[0] == '/' ? fs->getRoot() : fs->getCurrent();
  auto relative = path[0] == '/' ? kj::Path::parse(path + 1) : kj::Path::parse(path);
  return dir.openFile(relative)->readAllText();
}

void fillCode(kiln::rpc::WorkerCode::Builder code, const LoadArgs& args, kj::StringPtr source) {
  code.setCompatibilityDate("2024-09-01");
  code.setMainModule(args.main);
  auto module = code.initModules(1)[0];
  module.setName("main.js");
  module.setEsModule(source);
  if (args.env != nullptr)
    code.setEnvJson(args.env);
  code.setAllowOutbound(args.allowOutbound);
}

}  // namespace

int main(int argc, char** argv) {
  LoadArgs load;
  bool ok = argc >= 4 && ((strcmp(argv[2], "call") == 0 && argc == 5) ||
                          (strcmp(argv[2], "fetch") == 0 && argc == 4) ||
                          (strcmp(argv[2], "load") == 0 && parseLoadArgs(argc, argv, load)));
  if (!ok) {
    fprintf(stderr,
            "usage: kiln-rpc HOST:PORT call METHOD PARAMS_JSON\n"
            "       kiln-rpc HOST:PORT fetch URL\n"
            "       kiln-rpc HOST:PORT load [--id ID] [--entrypoint NAME] [--props JSON]\n"
            "                [--env JSON] [--main NAME] [--allow-outbound] FILE.js METHOD "
            "PARAMS_JSON\n");
    return 2;
  }
  int code = 0;
  KJ_IF_MAYBE (e, kj::runCatchingExceptions([&]() {
                 capnp::EzRpcClient client(argv[1]);
                 auto entrypoint = client.getMain<kiln::rpc::Entrypoint>();
                 auto& waitScope = client.getWaitScope();
                 if (strcmp(argv[2], "call") == 0) {
                   auto request = entrypoint.callRequest();
                   request.setMethod(argv[3]);
                   request.setParamsJson(argv[4]);
                   auto response = request.send().wait(waitScope);
                   printf("%s\n", response.getResultJson().cStr());
                 } else if (strcmp(argv[2], "fetch") == 0) {
                   auto request = entrypoint.fetchRequest();
                   request.initRequest().setUrl(argv[3]);
                   // The results own the message: keep them while the reader is used.
                   auto results = request.send().wait(waitScope);
                   auto response = results.getResponse();
                   auto body = response.getBody();
                   printf("%u %s\n%.*s\n", response.getStatus(), response.getStatusText().cStr(),
                          int(body.size()), reinterpret_cast<const char*>(body.begin()));
                 } else {
                   auto source = readFile(load.file);
                   // Pipelined: each step calls on the promise of the previous one's result.
                   auto loader = entrypoint.getLoaderRequest().send().getLoader();
                   kiln::rpc::DynamicWorker::Client worker = nullptr;
                   if (load.id != nullptr) {
                     auto request = loader.getRequest();
                     request.setId(load.id);
                     fillCode(request.initCode(), load, source);
                     worker = request.send().getWorker();
                   } else {
                     auto request = loader.loadRequest();
                     fillCode(request.initCode(), load, source);
                     worker = request.send().getWorker();
                   }
                   auto getEntrypoint = worker.getEntrypointRequest();
                   getEntrypoint.setName(load.entrypoint);
                   getEntrypoint.setPropsJson(load.props);
                   auto call = getEntrypoint.send().getEntrypoint().callRequest();
                   call.setMethod(load.method);
                   call.setParamsJson(load.params);
                   printf("%s\n", call.send().wait(waitScope).getResultJson().cStr());
                 }
               })) {
    fprintf(stderr, "kiln-rpc: %s\n", e->getDescription().cStr());
    code = 1;
  }
  return code;
}
