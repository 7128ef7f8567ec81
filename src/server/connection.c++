#include "src/server/connection.h"

#include <kj/debug.h>
#include <string.h>

namespace kiln::server {

namespace {

kj::ForkedPromise<void> newHangUp(kj::Own<kj::PromiseFulfiller<void>>& fulfiller) {
  auto paf = kj::newPromiseAndFulfiller<void>();
  fulfiller = kj::mv(paf.fulfiller);
  return paf.promise.fork();
}

}  // namespace

namespace {

class StartedResponse final : public kj::HttpService::Response {
 public:
  explicit StartedResponse(kj::HttpService::Response& inner) : inner(inner) {}
  bool started = false;
  kj::Own<kj::AsyncOutputStream> send(unsigned status, kj::StringPtr statusText,
                                      const kj::HttpHeaders& headers,
                                      kj::Maybe<uint64_t> expectedBodySize) override {
    started = true;
    return inner.send(status, statusText, headers, expectedBodySize);
  }
  kj::Own<kj::WebSocket> acceptWebSocket(const kj::HttpHeaders& headers) override {
    started = true;
    return inner.acceptWebSocket(headers);
  }

 private:
  kj::HttpService::Response& inner;
};

}  // namespace

kj::Promise<void> ErrorPageService::request(kj::HttpMethod method, kj::StringPtr url,
                                            const kj::HttpHeaders& headers,
                                            kj::AsyncInputStream& requestBody, Response& response) {
  auto tracked = kj::heap<StartedResponse>(response);
  auto& ref = *tracked;
  return inner.request(method, url, headers, requestBody, ref)
      .catch_([this, &ref, &response](kj::Exception&& e) -> kj::Promise<void> {
        // Once the status line is out there is nothing to say: the connection is dropped.
        if (ref.started || e.getType() == kj::Exception::Type::DISCONNECTED)
          return kj::mv(e);
        kj::HttpHeaders out(headerTable);
        out.set(kj::HttpHeaderId::CONTENT_TYPE, "text/plain;charset=UTF-8");
        constexpr kj::StringPtr BODY = "Internal Server Error"_kj;
        auto stream = response.send(500, "Internal Server Error", out, BODY.size());
        return stream->write(BODY.begin(), BODY.size()).attach(kj::mv(stream));
      })
      .attach(kj::mv(tracked));
}

WatchedConnection::WatchedConnection(kj::Own<kj::AsyncIoStream> inner)
    : inner(kj::mv(inner)),
      storage(kj::heapArray<kj::byte>(READ_AHEAD)),
      hungUp(newHangUp(hangUpFulfiller)) {
  readingAhead = readLoop().eagerlyEvaluate(nullptr);
}

WatchedConnection::~WatchedConnection() noexcept(false) {
  readingAhead = nullptr;  // Before `inner`, which the read refers to.
}

kj::Promise<void> WatchedConnection::readLoop() {
  // Only here, with no read in flight, may the unread bytes move to the front.
  if (begin > 0) {
    memmove(storage.begin(), storage.begin() + begin, filled - begin);
    filled -= begin;
    begin = 0;
  }
  if (filled == storage.size()) {
    // Full: wait until the server takes some (or reads past the buffer directly).
    auto paf = kj::newPromiseAndFulfiller<void>();
    roomFulfiller = kj::mv(paf.fulfiller);
    return paf.promise.then([this]() { return readLoop(); });
  }
  reading = true;
  return inner->tryRead(storage.begin() + filled, 1, storage.size() - filled)
      .then(
          [this](size_t n) {
            filled += n;
            if (n == 0)
              ended = true;
            if (discarding)
              begin = filled = 0;
          },
          [this](kj::Exception&& e) {
            ended = true;
            failure = kj::mv(e);
          })
      .then([this]() -> kj::Promise<void> {
        reading = false;
        KJ_IF_MAYBE (waiter, dataArrived) {
          (*waiter)->fulfill();
          dataArrived = nullptr;
        }
        if (ended) {
          // Whatever the server still has to read is here; the client is gone.
          hangUpFulfiller->fulfill();
          return kj::READY_NOW;
        }
        return readLoop();
      });
}

void WatchedConnection::makeRoom() {
  KJ_IF_MAYBE (f, roomFulfiller) {
    (*f)->fulfill();
    roomFulfiller = nullptr;
  }
}

kj::Promise<void> WatchedConnection::linger(kj::Timer& timer) {
  if (ended)
    return kj::READY_NOW;
  discarding = true;
  begin = filled = 0;
  makeRoom();
  inner->shutdownWrite();
  return whenHungUp().exclusiveJoin(timer.afterDelay(LINGER));
}

size_t WatchedConnection::take(void* out, size_t maxBytes, bool restart) {
  size_t n = kj::min(maxBytes, filled - begin);
  memcpy(out, storage.begin() + begin, n);
  begin += n;
  if (restart)
    makeRoom();
  return n;
}

kj::Promise<size_t> WatchedConnection::tryRead(void* out, size_t minBytes, size_t maxBytes) {
  size_t available = filled - begin;
  if (available >= kj::max(minBytes, size_t(1)) || (ended && available > 0))
    return take(out, maxBytes, true);
  if (ended) {
    KJ_IF_MAYBE (e, failure) {
      return kj::cp(*e);
    }
    return size_t(0);
  }
  if (!reading) {
    // The buffer is full and the server wants more than it holds at once (a fixed-length
    // body read): hand over what is here and read the rest directly.
    size_t n = take(out, available, false);
    auto rest = static_cast<kj::byte*>(out) + n;
    return inner->tryRead(rest, minBytes - n, maxBytes - n).then([this, n, minBytes](size_t m) {
      if (n + m < minBytes) {
        ended = true;
        hangUpFulfiller->fulfill();
      } else {
        makeRoom();
      }
      return n + m;
    });
  }
  // Not enough yet: wait for the read under way, then look again.
  auto paf = kj::newPromiseAndFulfiller<void>();
  dataArrived = kj::mv(paf.fulfiller);
  return paf.promise.then(
      [this, out, minBytes, maxBytes]() { return tryRead(out, minBytes, maxBytes); });
}

}  // namespace kiln::server
