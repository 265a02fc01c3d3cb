package dev.tracereplay.bench;

import java.util.Map;

/**
 * One measured run: which case, how many messages of which size, how long, what each Java
 * thread involved allocated and used of the CPU ({@code threads}: thread label to cost, empty for
 * C-only runs), and the heap's peak during the run ({@code peakHeapBytes}, -1 when not measured).
 */
record Sample(String mode, int size, String variant, long messages, long nanos,
    Map<String, JvmMemory.ThreadCost> threads, long peakHeapBytes) {

  /** This sample, labelled with its case's name. */
  Sample named(String name) {
    return new Sample(mode, size, name, messages, nanos, threads, peakHeapBytes);
  }

  double messagesPerSecond() {
    return messages * 1e9 / nanos;
  }

  /** Message bytes (not counting size prefixes or the handshake) per second, in MB (10^6 bytes). */
  double megabytesPerSecond() {
    return messages * (double) size * 1e3 / nanos;
  }

  double allocatedPerMessage(String thread) {
    return threads.get(thread).allocatedBytes() / (double) messages;
  }

  /** The thread's CPU time per message, in nanoseconds. */
  double cpuPerMessage(String thread) {
    return threads.get(thread).cpuNanos() / (double) messages;
  }
}
