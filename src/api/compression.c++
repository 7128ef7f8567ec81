// natives.zlibCreate: the zlib half of CompressionStream/DecompressionStream.

#include "src/api/natives.h"
#include "src/js/value.h"
#include "src/js/wrap.h"

#include <kj/debug.h>
#include <kj/vector.h>
#include <zlib.h>

namespace kiln::api {
namespace {

class Zlib {
 public:
  Zlib(int windowBits, bool decompress) : decompress(decompress) {
    memset(&stream, 0, sizeof(stream));
    int rc = decompress ? inflateInit2(&stream, windowBits)
                        : deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8,
                                       Z_DEFAULT_STRATEGY);
    KJ_ASSERT(rc == Z_OK, "zlib init failed", rc);
  }
  ~Zlib() {
    if (decompress) {
      inflateEnd(&stream);
    } else {
      deflateEnd(&stream);
    }
  }

  // Returns an error message for JavaScript, or null on success.
  kj::Maybe<kj::StringPtr> process(kj::ArrayPtr<const kj::byte> input, bool finish,
                                   kj::Vector<kj::Array<kj::byte>>& output) {
    if (ended) {
      if (input.size() > 0)
        return "Trailing bytes after the end of the compressed stream."_kj;
      return nullptr;
    }
    stream.next_in = const_cast<kj::byte*>(input.begin());
    stream.avail_in = input.size();
    while (true) {
      kj::byte buffer[16384];
      stream.next_out = buffer;
      stream.avail_out = sizeof(buffer);
      int rc = decompress ? inflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                          : deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH);
      size_t produced = sizeof(buffer) - stream.avail_out;
      if (produced > 0)
        output.add(kj::heapArray<kj::byte>(buffer, produced));
      if (rc == Z_STREAM_END) {
        ended = true;
        if (stream.avail_in > 0)
          return "Trailing bytes after the end of the compressed stream."_kj;
        return nullptr;
      }
      if (rc == Z_BUF_ERROR) {
        // No progress possible: either all input consumed, or (when finishing) input truncated.
        if (finish && decompress)
          return "The compressed data ended unexpectedly."_kj;
        return nullptr;
      }
      if (rc != Z_OK)
        return "The compressed data is corrupt."_kj;
      if (stream.avail_in == 0 && stream.avail_out != 0 && !finish)
        return nullptr;
    }
  }

 private:
  z_stream stream;
  bool decompress;
  bool ended = false;
};

const char ZLIB_TAG = 0;

kj::Maybe<Zlib&> unwrap(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto zlib = js::unwrapThis<Zlib>(info, const_cast<char*>(&ZLIB_TAG));
  if (zlib == nullptr)
    js::throwTypeError(info.GetIsolate(), "Illegal invocation");
  return zlib;
}

void returnChunks(const v8::FunctionCallbackInfo<v8::Value>& info,
                  kj::Vector<kj::Array<kj::byte>>& chunks) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto result = v8::Array::New(isolate, chunks.size());
  for (uint32_t i = 0; i < chunks.size(); i++) {
    v8::Local<v8::Uint8Array> bytes;
    if (!js::newBytes(isolate, chunks[i]).ToLocal(&bytes))
      return;  // A RangeError is pending.
    result->Set(context, i, bytes).Check();
  }
  info.GetReturnValue().Set(result);
}

void zlibWrite(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto zlib = unwrap(info);
  if (zlib == nullptr)
    return;
  KJ_IF_MAYBE (bytes, js::viewBytes(info[0])) {
    kj::Vector<kj::Array<kj::byte>> chunks;
    KJ_IF_MAYBE (error, KJ_ASSERT_NONNULL(zlib).process(*bytes, false, chunks)) {
      js::throwTypeError(isolate, *error);
      return;
    }
    returnChunks(info, chunks);
  } else {
    js::throwTypeError(isolate, "The chunk must be an ArrayBuffer or ArrayBufferView.");
  }
}

void zlibFinish(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto zlib = unwrap(info);
  if (zlib == nullptr)
    return;
  kj::Vector<kj::Array<kj::byte>> chunks;
  KJ_IF_MAYBE (error, KJ_ASSERT_NONNULL(zlib).process(nullptr, true, chunks)) {
    js::throwTypeError(info.GetIsolate(), *error);
    return;
  }
  returnChunks(info, chunks);
}

void zlibCreate(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  auto format = js::toKj(isolate, info[0]);
  bool decompress = info[1]->BooleanValue(isolate);
  int windowBits;
  if (format == "gzip") {
    windowBits = 15 + 16;
  } else if (format == "deflate") {
    windowBits = 15;
  } else if (format == "deflate-raw") {
    windowBits = -15;
  } else {
    js::throwTypeError(isolate, kj::str("Unsupported compression format: \"", format, "\"."));
    return;
  }

  // A wrap: the zlib state (about 100 KiB for deflate) is freed when the handle is collected,
  // or with the isolate, which runs no weak callbacks when it is disposed.
  static const js::WrapRegistry::Method METHODS[] = {{"write", &zlibWrite},
                                                     {"finish", &zlibFinish}};
  auto handle = js::wrapWithMethods(context, kj::heap<Zlib>(windowBits, decompress),
                                    const_cast<char*>(&ZLIB_TAG), METHODS,
                                    int64_t(sizeof(Zlib)) + (decompress ? 48 << 10 : 256 << 10));
  info.GetReturnValue().Set(handle);
}

const NativeFunction COMPRESSION_NATIVES[] = {{"zlibCreate", &zlibCreate}};

}  // namespace

kj::ArrayPtr<const NativeFunction> compressionNatives() {
  return COMPRESSION_NATIVES;
}

}  // namespace kiln::api
