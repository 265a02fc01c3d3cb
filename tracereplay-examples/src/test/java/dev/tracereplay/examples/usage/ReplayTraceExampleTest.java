package dev.tracereplay.examples.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.examples.ExampleSink;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.junit5.TraceReplayExtension;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Example 1, the pattern to start from: a sink tested with a real runsc recording instead of a
 * sandbox. {@code @ReplayTrace("client-0001")} hands the test a replayer of the class path resource
 * {@code tracereplay/client-0001} (a file as {@code tracereplay save} or gVisor's {@code save} writes
 * it), {@code @TraceEndpoint} a fresh socket path for the sink; the sink listens there, the replay
 * plays the sandbox's session into it byte for byte, and the test checks what the sink made of it.
 *
 * <p>The sink under test here is the example sink, which prints one line per trace point; put yours
 * in its place and assert on what it does. The sink works on its own threads, so the test waits
 * until the sink has seen the end of the session (its {@code Connection closed} line), with the
 * {@code @Timeout} as the deadline. README-usage.md has this test as a user pastes it into a
 * project that depends on tracereplay-junit5 alone.
 */
@ExtendWith(TraceReplayExtension.class)
class ReplayTraceExampleTest {

  @Test
  @Timeout(30) // also the deadline of the wait below
  void theSinkPrintsTheContainerStartOfTheRecordedSandbox(
      @ReplayTrace("client-0001") TraceReplayer sandbox, @TraceEndpoint Path endpoint) throws Exception {
    StringWriter out = new StringWriter();
    try (ExampleSink sink = ExampleSink.start(endpoint, out, false)) {
      sandbox.replayTo(sink.endpoint());
      while (!out.toString().contains("Connection closed")) {
        Thread.sleep(10); // until the sink has printed the whole session
      }
    }
    assertThat(out.toString()).contains("Start => id: \"runsc-409429\" cwd: \"/\" args: \"/bin/true\"");
  }
}
