package dev.tracereplay.examples.usage;

import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.testing.RecordingSink;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Example 10, a real-time replay of a short recording: {@code speed = 1} sends each message when
 * the recorded sandbox did, from the messages' {@code context_data.time_ns} (the recording must
 * have asked for the {@code time} context field; this one did, and spans 75 ms), for a sink whose
 * behaviour depends on time: rate limits, batching windows, timeouts. {@code speed = 10} plays it
 * ten times as fast, {@code rate = 1000} at 1000 messages a second whatever the times.
 *
 * <p>The schedule is kept against deadlines, so the pace does not drift, and the test asserts what
 * the sink received, never how long it took: machines running tests are shared and their timing
 * is noise. (To check a time-dependent sink exactly, give the replayer a clock of your own:
 * {@code sandbox.withClock(clock)}.)
 */
class RealTimeReplayExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @ReplayTrace(value = "shell-common.trace", speed = 1)
  void theSinkGetsTheSessionAtItsRecordedPace(TraceReplayer sandbox, @TraceEndpoint Path endpoint) throws Exception {
    try (RecordingSink sink = new RecordingSink().start(endpoint)) {
      assertThat(sandbox.replayTo(endpoint)).deliveredAll().hasSentMessages(444);

      assertThat(sandbox).matchesReceived(sink.awaitMessages(444, WAIT));
    }
  }
}
