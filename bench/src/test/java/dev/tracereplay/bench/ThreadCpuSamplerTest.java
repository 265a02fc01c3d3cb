package dev.tracereplay.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadCpuSamplerTest {
  @Test
  void readsANameWithSpacesAndParenthesesAndTheUserAndSystemTicks() throws IOException {
    String line = "4242 (C2 Compiler (x)) S 1 2 3 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 1 0 99 0 0";

    assertThat(ThreadCpuSampler.parse(line)).isEqualTo(Map.entry("C2 Compiler (x)", 42L));
    assertThatThrownBy(() -> ThreadCpuSampler.parse("no stat")).isInstanceOf(IOException.class);
  }

  @Test
  void groupsThreadsByWhatTheirNamesSay() {
    assertThat(ThreadCpuSampler.group("tracereplay-sav")).isEqualTo(ThreadCpuSampler.RECEIVING);
    assertThat(ThreadCpuSampler.group("seqsaved")).isEqualTo(ThreadCpuSampler.RECEIVING);
    assertThat(ThreadCpuSampler.group("C1 CompilerThre")).isEqualTo(ThreadCpuSampler.JIT);
    assertThat(ThreadCpuSampler.group("C2 CompilerThre")).isEqualTo(ThreadCpuSampler.JIT);
    assertThat(ThreadCpuSampler.group("GC Thread#0")).isEqualTo(ThreadCpuSampler.GC);
    assertThat(ThreadCpuSampler.group("G1 Refine#0")).isEqualTo(ThreadCpuSampler.GC);
    assertThat(ThreadCpuSampler.group("java")).isEqualTo(ThreadCpuSampler.OTHER);
  }

  @Test
  void countsTheCpuTimeAThreadSpendsAfterTheStartUnderItsGroup() throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    ThreadCpuSampler sampler = ThreadCpuSampler.start(ProcessHandle.current().pid());
    long[] spent = new long[1];
    // A thread named as the recorder's are, busy until the JVM counts 150 ms of its own CPU time.
    Thread busy = new Thread(() -> {
      long start = threads.getCurrentThreadCpuTime();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (threads.getCurrentThreadCpuTime() - start < TimeUnit.MILLISECONDS.toNanos(150)
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      spent[0] = threads.getCurrentThreadCpuTime() - start;
    }, "tracereplay-busy");
    busy.start();
    busy.join();
    // The thread has exited: what it spent after the sampler's last look at it is lost, at most a period.
    Map<String, Long> millis = sampler.stop();

    assertThat(spent[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    assertThat(millis).containsOnlyKeys(ThreadCpuSampler.RECEIVING, ThreadCpuSampler.JIT, ThreadCpuSampler.GC,
        ThreadCpuSampler.OTHER, ThreadCpuSampler.UNSEEN, ThreadCpuSampler.RECEIVING_WAITED,
        ThreadCpuSampler.RECEIVING_RUNS);
    assertThat(millis.get(ThreadCpuSampler.RECEIVING_WAITED)).isNotNegative();
    assertThat(millis.get(ThreadCpuSampler.RECEIVING_RUNS)).isPositive();
    assertThat(millis.get(ThreadCpuSampler.RECEIVING)).isBetween(150L - 3 * ThreadCpuSampler.PERIOD_MILLIS, 400L);
    // What the exited thread spent after its last sample is the process's, counted as unseen.
    assertThat(millis.get(ThreadCpuSampler.RECEIVING) + millis.get(ThreadCpuSampler.UNSEEN))
        .isGreaterThanOrEqualTo(150L - 10);
  }
}
