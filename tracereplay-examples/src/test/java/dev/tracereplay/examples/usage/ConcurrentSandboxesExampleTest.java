package dev.tracereplay.examples.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.examples.ExampleSink;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageReader;
import dev.tracereplay.points.TracePrinter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Example 3, two sandboxes at once: a sink serves every sandbox of a host on one socket, so it must
 * keep their sessions apart. Two {@code @ReplayTrace} parameters give the test two recordings; each
 * replay runs on a thread of its own, as two sandboxes would, into the one sink.
 *
 * <p>A replayer may replay from several threads at once, and every replay is a connection of its
 * own. The recordings are named by their class path resource: {@code @ReplayTrace} looks for
 * {@code tracereplay/<name>}, then for {@code <name>} itself.
 */
class ConcurrentSandboxesExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  @Timeout(120)
  void twoSandboxesReplayedAtOnceArriveWholeAndInOrder(
      @ReplayTrace("shell-common.trace") TraceReplayer shell,
      @ReplayTrace("loop-all.trace") TraceReplayer loop,
      @TraceEndpoint Path endpoint) throws Exception {
    StringWriter out = new StringWriter();
    ExecutorService sandboxes = Executors.newFixedThreadPool(2);
    try (ExampleSink sink = ExampleSink.start(endpoint, out, false)) {
      Future<ReplayResult> shellSession = sandboxes.submit(() -> shell.replayTo(sink.endpoint()));
      Future<ReplayResult> loopSession = sandboxes.submit(() -> loop.replayTo(sink.endpoint()));

      assertThat(shellSession.get().deliveredAll()).isTrue();
      assertThat(loopSession.get().deliveredAll()).isTrue();
      // Both replays are done when their last packets are sent; the sink ends both sessions on its own.
      assertThat(sink.awaitNoClients(WAIT)).as("the sink ended both sessions within %s", WAIT).isTrue();
    } finally {
      sandboxes.shutdownNow();
    }

    // The two sessions' lines interleave; each session's own lines (unique: every point carries its
    // time) must all be there, in the order the sandbox sent them.
    List<String> lines = out.toString().lines().toList();
    List<String> shellLines = textLines(shell);
    List<String> loopLines = textLines(loop);
    assertThat(lines).filteredOn(new HashSet<>(shellLines)::contains).containsExactlyElementsOf(shellLines);
    assertThat(lines).filteredOn(new HashSet<>(loopLines)::contains).containsExactlyElementsOf(loopLines);
    assertThat(lines).filteredOn("Connection accepted"::equals).hasSize(2);
    assertThat(lines).hasSize(1 + 2 + shellLines.size() + loopLines.size() + 2);
  }

  /** The line the example sink prints for each message of the replayer's recording, in order. */
  private static List<String> textLines(TraceReplayer replayer) throws IOException {
    List<String> lines = new ArrayList<>();
    try (TraceMessageReader reader = TraceMessageReader.open(replayer.trace())) {
      for (TraceMessage message; (message = reader.next()) != null; ) {
        lines.add(TracePrinter.textLine(message));
      }
    }
    return lines;
  }
}
