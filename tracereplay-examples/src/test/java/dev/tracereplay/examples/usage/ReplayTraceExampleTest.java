package dev.tracereplay.examples.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.points.PrintingSink;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.server.SinkServer;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Example 1, the pattern to start from: a sink tested with a real runsc recording instead of a
 * sandbox. {@code @ReplayTrace("true-start.trace")} gives each test a replayer of the class path
 * resource {@code tracereplay/true-start.trace} (a file as {@code tracereplay save} or gVisor's
 * {@code save} writes it, named for what it holds), {@code @TraceEndpoint} a fresh socket path for
 * the sink, in fields as JUnit's {@code @TempDir} (they register the extension: no
 * {@code @ExtendWith}); the sink listens there, the replay
 * plays the sandbox's session into it byte for byte, and the test checks what the sink made of it.
 *
 * <p>The sink under test here is the example sink (a {@link SinkServer} with a {@link PrintingSink},
 * which is what {@link dev.tracereplay.examples.ExampleSink} runs: gVisor's server.cc output) so that
 * the test needs nothing beyond tracereplay-junit5; put yours in its place and assert on what it
 * does. The sink works on its own threads, so the test waits, with a deadline, until the sink has
 * seen the end of the session. This class is, line for line, the one in the README.
 */
class ReplayTraceExampleTest {
  @ReplayTrace("true-start.trace")
  TraceReplayer sandbox;
  @TraceEndpoint
  Path endpoint;

  @Test
  void printsTheContainerStartOfTheRecordedSandbox() throws Exception {
    StringWriter out = new StringWriter();
    // Your sink goes here; this one prints each trace point as gVisor's example server does.
    try (SinkServer sink = SinkServer.builder(TraceMessageHandler.perClient(PrintingSink.to(out)))
        .endpoint(endpoint).start()) {
      sandbox.replayTo(endpoint);
      assertThat(sink.awaitNoClients(Duration.ofSeconds(30))).isTrue(); // the sink saw the whole session
    }
    assertThat(out.toString()).contains("Start => id: \"runsc-409429\" cwd: \"/\" args: \"/bin/true\"");
  }
}
