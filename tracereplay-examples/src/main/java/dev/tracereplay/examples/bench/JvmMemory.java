package dev.tracereplay.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * What the benchmark reads from the JVM: bytes allocated by the current thread (HotSpot's
 * {@code com.sun.management.ThreadMXBean}, exact up to the TLAB in use) and the heap's peak
 * occupancy (the sum of the heap pools' peaks since the last reset, an upper bound of the true
 * peak). Thread-safe.
 */
final class JvmMemory {
  private static final com.sun.management.ThreadMXBean THREADS = threads();
  private static final List<MemoryPoolMXBean> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isValid())
      .toList();

  private JvmMemory() {}

  /** The bytes the calling thread has allocated on the heap since it started. */
  static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /** Starts a new peak: from now on {@link #peakHeapBytes()} covers only what follows. */
  static void resetPeakHeap() {
    for (MemoryPoolMXBean pool : HEAP_POOLS) {
      pool.resetPeakUsage();
    }
  }

  /** The heap's peak occupancy since {@link #resetPeakHeap()}, in bytes. */
  static long peakHeapBytes() {
    long peak = 0;
    for (MemoryPoolMXBean pool : HEAP_POOLS) {
      peak += pool.getPeakUsage().getUsed();
    }
    return peak;
  }

  /** The heap's limit (-Xmx), in bytes. */
  static long maxHeapBytes() {
    return Runtime.getRuntime().maxMemory();
  }

  private static com.sun.management.ThreadMXBean threads() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
        || !threads.isThreadAllocatedMemorySupported()) {
      throw new IllegalStateException("this JVM does not count allocated bytes per thread"
          + " (com.sun.management.ThreadMXBean); run the benchmark on HotSpot (OpenJDK, Temurin)");
    }
    threads.setThreadAllocatedMemoryEnabled(true);
    return threads;
  }
}
