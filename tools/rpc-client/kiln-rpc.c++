// A small Cap'n Proto client for kiln's `capnp` sockets (config-schema/rpc.capnp):
//   kiln-rpc HOST:PORT call METHOD '[JSON, args]'   prints the JSON result
//   kiln-rpc HOST:PORT fetch URL                     prints status and body
// Exits 1 with the error on stderr when the call fails (e.g. the method threw).

#include "config-schema/rpc.capnp.h"

#include <capnp/ez-rpc.h>
#include <kj/debug.h>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 4 || (strcmp(argv[2], "call") == 0 && argc != 5)) {
    fprintf(stderr,
            "usage: kiln-rpc HOST:PORT call METHOD PARAMS_JSON\n"
            "       kiln-rpc HOST:PORT fetch URL\n");
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
                 } else {
                   auto request = entrypoint.fetchRequest();
                   request.initRequest().setUrl(argv[3]);
                   auto response = request.send().wait(waitScope).getResponse();
                   auto body = response.getBody();
                   printf("%u %s\n%.*s\n", response.getStatus(), response.getStatusText().cStr(),
                          int(body.size()), reinterpret_cast<const char*>(body.begin()));
                 }
               })) {
    fprintf(stderr, "kiln-rpc: %s\n", e->getDescription().cStr());
    code = 1;
  }
  return code;
}
