package dev.tracereplay.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * What the benchmark reads from the JVM: bytes allocated and CPU time used by the current thread
 * (HotSpot's {@code com.sun.management.ThreadMXBean}; allocation is exact up to the TLAB in use,
 * CPU time is user plus system, which a loaded machine disturbs far less than elapsed time) and
 * the heap's peak occupancy (the sum of the heap pools' peaks since the last reset, an upper bound
 * of the true peak). Thread-safe.
 */
final class JvmMemory {

  /** What one thread used over a stretch of its work. */
  record ThreadCost(long allocatedBytes, long cpuNanos) {}

  /** A reading of the current thread's counters, to subtract from a later one. */
  record Reading(long allocatedBytes, long cpuNanos) {
    ThreadCost until(Reading later) {
      return new ThreadCost(later.allocatedBytes - allocatedBytes, later.cpuNanos - cpuNanos);
    }

    ThreadCost untilNow() {
      return until(now());
    }
  }

  private static final com.sun.management.ThreadMXBean THREADS = threads();
  private static final List<MemoryPoolMXBean> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isValid())
      .toList();

  private JvmMemory() {}

  /** The calling thread's counters now. */
  static Reading now() {
    return new Reading(THREADS.getCurrentThreadAllocatedBytes(), THREADS.getCurrentThreadCpuTime());
  }

  /**
   * Starts a new peak after collecting what earlier runs left: from now on
   * {@link #peakHeapBytes()} covers only what follows.
   */
  static void resetPeakHeap() {
    System.gc();
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
    threads.setThreadCpuTimeEnabled(true);
    return threads;
  }
}
