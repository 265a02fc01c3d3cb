package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.replay.ShapeException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace that is not a regular file (here a real FIFO, as {@code <(cat f)} and {@code /dev/stdin}
 * are pipes) is read once per replay: opening it twice, as replays once did, hung on a FIFO and
 * read "0 bytes" from a pipe.
 */
@Timeout(60)
class ReadOnceTraceTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void aFifoIsReplayedWholeByOneReplayAndASecondOneIsRefused() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    Path fifo = Fifos.fifoOf(trace, dir.resolve("trace.fifo"));
    Path endpoint = dir.resolve("sink.sock");

    TraceReplayer replayer = TraceReplayer.of(fifo);
    try (RawSink sink = RawSink.listen(endpoint)) {
      assertThat(replayer.replayTo(endpoint).messagesSent()).isEqualTo(444);
      assertThat(sink.awaitSession(WAIT)).containsExactlyElementsOf(TraceFiles.records(trace));
    }
    assertThatThrownBy(() -> replayer.replayTo(endpoint))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(fifo + " is not a regular file (a pipe, a FIFO or a terminal): it can be read once, and an"
            + " earlier replay read it. Save it to a file to replay it again");
  }

  @Test
  void aSpeedReplayOfAFifoFindsItsFirstTimeInWhatItReadsAndSendsThatToo() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    Path endpoint = dir.resolve("sink.sock");
    try (RawSink sink = RawSink.listen(endpoint)) {
      TraceReplayer.of(Fifos.fifoOf(trace, dir.resolve("trace.fifo"))).withSpeed(100).replayTo(endpoint);

      assertThat(sink.awaitSession(WAIT)).containsExactlyElementsOf(TraceFiles.records(trace));
    }
  }

  @Test
  void aSpeedReplayOfAFifoWithoutTimesIsRefusedBeforeConnecting() throws Exception {
    Path untimed = Fixtures.copy("true-start.trace", dir);
    Path fifo = Fifos.fifoOf(untimed, dir.resolve("trace.fifo"));

    assertThatThrownBy(() -> TraceReplayer.of(fifo).withSpeed(1).replayTo(dir.resolve("nobody.sock")))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("none of the 1 messages selected from " + fifo + " has one");
  }
}
