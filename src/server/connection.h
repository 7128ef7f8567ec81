// The edge of an HTTP socket: connections that notice when their client hangs up, and the 500 a
// client gets when a worker fails.
#pragma once

#include <kj/async-io.h>
#include <kj/compat/http.h>

namespace kiln::server {

class ErrorPageService final : public kj::HttpService {
  // What an HTTP client sees of a failure: workers reject in-process callers with their error
  // (as workerd does), and at the edge that becomes a plain 500 before the response has begun.
  // The error's text is logged by the worker; the client learns nothing of it.
 public:
  explicit ErrorPageService(kj::HttpService& inner, kj::HttpHeaderTable& headerTable)
      : inner(inner), headerTable(headerTable) {}
  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override;

 private:
  kj::HttpService& inner;
  kj::HttpHeaderTable& headerTable;
};

class WatchedConnection final : public kj::AsyncIoStream {
  // Wraps an accepted connection and keeps a read outstanding on it at all times (buffering up to
  // READ_AHEAD bytes for the HTTP server), so that the client closing its end is seen at once,
  // even while the server is busy with a request and not reading. kj::HttpServer (0.9) only
  // notices a departed client when it next reads or writes, which for a worker that takes its
  // time means a socket left in CLOSE-WAIT and an event that runs for nobody.
 public:
  explicit WatchedConnection(kj::Own<kj::AsyncIoStream> inner);
  ~WatchedConnection() noexcept(false);

  kj::Promise<void> whenHungUp() { return hungUp.addBranch(); }
  // Resolves when the client has closed (or reset) the connection.

  kj::Promise<void> linger(kj::Timer& timer);
  // For when the server is done with the connection: closing a socket with unread bytes (an
  // upload the worker answered without reading) makes the kernel reset it, and the client may
  // lose the answer it was sent. So: end our side, discard what still arrives until the client
  // closes or LINGER passes, then let the connection go.
  static constexpr kj::Duration LINGER = 2 * kj::SECONDS;

  // AsyncInputStream
  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override;

  // AsyncOutputStream
  kj::Promise<void> write(const void* buffer, size_t size) override {
    return inner->write(buffer, size);
  }
  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override {
    return inner->write(pieces);
  }
  kj::Promise<void> whenWriteDisconnected() override { return inner->whenWriteDisconnected(); }

  // AsyncIoStream
  void shutdownWrite() override { inner->shutdownWrite(); }
  void abortRead() override { inner->abortRead(); }
  void getsockopt(int level, int option, void* value, kj::uint* length) override {
    inner->getsockopt(level, option, value, length);
  }
  void setsockopt(int level, int option, const void* value, kj::uint length) override {
    inner->setsockopt(level, option, value, length);
  }
  void getsockname(struct sockaddr* addr, kj::uint* length) override {
    inner->getsockname(addr, length);
  }
  void getpeername(struct sockaddr* addr, kj::uint* length) override {
    inner->getpeername(addr, length);
  }
  kj::Maybe<int> getFd() const override { return inner->getFd(); }

  static constexpr size_t READ_AHEAD = 16384;

 private:
  kj::Own<kj::AsyncIoStream> inner;
  kj::Array<kj::byte> storage;  // [begin, filled): read from the client, not yet taken.
  size_t begin = 0;
  size_t filled = 0;
  bool ended = false;  // The client closed its end (or the connection failed).
  kj::Maybe<kj::Exception> failure;
  kj::Maybe<kj::Own<kj::PromiseFulfiller<void>>> dataArrived;  // A server read waiting.
  kj::Own<kj::PromiseFulfiller<void>> hangUpFulfiller;
  kj::ForkedPromise<void> hungUp;
  kj::Promise<void> readingAhead = nullptr;
  bool reading = false;     // A read-ahead is in flight.
  bool discarding = false;  // Lingering: what arrives is dropped.

  kj::Maybe<kj::Own<kj::PromiseFulfiller<void>>> roomFulfiller;  // The loop waits: buffer full.

  kj::Promise<void> readLoop();
  void makeRoom();
  size_t take(void* out, size_t maxBytes, bool restart);
};

}  // namespace kiln::server
