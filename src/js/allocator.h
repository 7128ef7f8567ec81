// ArrayBuffer memory lives outside the V8 heap, so the heap limit does not cover it; without a
// cap of its own, one `new ArrayBuffer(2 ** 32)` loop would take the whole process down.
// (Compiled without RTTI, like V8, since it subclasses V8's allocator.)
#pragma once

#include <v8.h>
#include <cstddef>
#include <memory>

namespace kiln::js {

std::unique_ptr<v8::ArrayBuffer::Allocator> newLimitedAllocator(size_t limitBytes);
// Allocations past the limit fail, which JavaScript sees as a RangeError.

size_t limitedAllocatorUsed(v8::ArrayBuffer::Allocator& allocator);

bool limitedAllocatorCharge(v8::ArrayBuffer::Allocator& allocator, size_t bytes);
void limitedAllocatorRelease(v8::ArrayBuffer::Allocator& allocator, size_t bytes);
// Memory allocated elsewhere on the isolate's behalf, counted in the same budget.

}  // namespace kiln::js
