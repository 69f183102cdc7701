import CMalloc

/// How the C heap is kept between batches.
package enum Heap {
  /// A consumer frees each batch's memory and takes it again for the next. By default glibc
  /// gives the top of the heap back to the kernel after such a batch and asks for it again
  /// (brk, and fresh zeroed pages), a few times per batch; this keeps up to 64 MiB of free
  /// heap instead and grows it a MiB at a time. Call once at start, before threads.
  package static func keepForBatches() {
    _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
    _ = mallopt(M_TOP_PAD, 1 << 20)
  }
}
