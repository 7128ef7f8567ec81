#include "src/js/allocator.h"

#include <atomic>
#include <cstdlib>

namespace kiln::js {
namespace {

class LimitedAllocator final : public v8::ArrayBuffer::Allocator {
 public:
  explicit LimitedAllocator(size_t limit) : limit(limit) {}

  void* Allocate(size_t length) override {
    if (!reserve(length))
      return nullptr;
    void* p = calloc(length == 0 ? 1 : length, 1);
    if (p == nullptr)
      used -= length;
    return p;
  }
  void* AllocateUninitialized(size_t length) override {
    if (!reserve(length))
      return nullptr;
    void* p = malloc(length == 0 ? 1 : length);
    if (p == nullptr)
      used -= length;
    return p;
  }
  void Free(void* data, size_t length) override {
    free(data);
    used -= length;
  }
  size_t getUsed() const { return used; }

  bool reserve(size_t length) {
    size_t before = used.fetch_add(length);
    if (before + length > limit) {
      used -= length;
      return false;
    }
    return true;
  }
  void release(size_t length) { used -= length; }

 private:
  size_t limit;
  std::atomic<size_t> used{0};
};

}  // namespace

std::unique_ptr<v8::ArrayBuffer::Allocator> newLimitedAllocator(size_t limitBytes) {
  return std::make_unique<LimitedAllocator>(limitBytes);
}

size_t limitedAllocatorUsed(v8::ArrayBuffer::Allocator& allocator) {
  return static_cast<LimitedAllocator&>(allocator).getUsed();
}

bool limitedAllocatorCharge(v8::ArrayBuffer::Allocator& allocator, size_t bytes) {
  return static_cast<LimitedAllocator&>(allocator).reserve(bytes);
}

void limitedAllocatorRelease(v8::ArrayBuffer::Allocator& allocator, size_t bytes) {
  static_cast<LimitedAllocator&>(allocator).release(bytes);
}

}  // namespace kiln::js
