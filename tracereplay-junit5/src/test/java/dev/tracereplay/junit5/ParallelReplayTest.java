package dev.tracereplay.junit5;

import static dev.tracereplay.junit5.EngineRuns.assertAllPassed;
import static dev.tracereplay.junit5.EngineRuns.published;
import static dev.tracereplay.junit5.EngineRuns.run;
import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.testing.RecordingSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.Events;

/** Many tests using the extension at once, each with its own endpoint, replayer and sink. */
@Timeout(180)
class ParallelReplayTest {
  static final int TESTS = 20;

  @Test
  void twentyTestsInParallelEachDeliverEveryMessageOfARealTraceToTheirOwnSink() {
    TwentyReplays.bothRunning = new CountDownLatch(2);

    Events tests = run(TwentyReplays.class, Map.of(
        "junit.jupiter.execution.parallel.enabled", "true",
        "junit.jupiter.execution.parallel.mode.default", "concurrent",
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"));

    assertAllPassed(tests, TESTS);
    List<String> endpoints = published(tests, "endpoint");
    assertThat(endpoints).hasSize(TESTS).doesNotHaveDuplicates();
    assertThat(endpoints).allSatisfy(endpoint -> assertThat(Path.of(endpoint).getParent()).doesNotExist());
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class TwentyReplays {
    /** Counted down by the first two tests: each waits for the other, so they must run at once. */
    static CountDownLatch bothRunning;

    @RepeatedTest(TESTS)
    void replay(@ReplayTrace("shell-common.trace") TraceReplayer replayer, @TraceEndpoint Path endpoint,
        TestReporter reporter) throws Exception {
      reporter.publishEntry("endpoint", endpoint.toString());
      bothRunning.countDown();
      assertThat(bothRunning.await(30, TimeUnit.SECONDS)).as("another test ran at the same time").isTrue();

      try (RecordingSink sink = new RecordingSink().start(endpoint)) {
        assertThat(replayer.replayTo(endpoint)).deliveredAll().hasSentMessages(444);
        assertThat(replayer).matchesReceived(sink.awaitMessages(444, Duration.ofSeconds(60)));
      }
    }
  }
}
