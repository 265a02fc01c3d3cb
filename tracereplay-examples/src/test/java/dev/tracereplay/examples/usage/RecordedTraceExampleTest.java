package dev.tracereplay.examples.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.Runsc;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.server.SinkServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Example 6, a new test with no recording session: {@code record = @Runsc(...)} says how the trace
 * is made. The first run where runsc can run (as root) records {@code cat /etc/passwd} in a real
 * sandbox into {@code src/test/resources/tracereplay/RecordedTraceExampleTest/cat-passwd}, and
 * replays it; commit that file, and every later run (and CI, where {@code CI=true} turns recording
 * off) replays it without a sandbox. {@code -Dtracereplay.record=all} records it again.
 */
class RecordedTraceExampleTest {
  @Test
  @ReplayTrace(value = "cat-passwd", record = @Runsc(command = {"/bin/sh", "-c", "cat /etc/passwd"},
      points = {"syscall/openat/enter", "syscall/openat/exit"}, contextFields = "process_name"))
  void seesCatOpenThePasswdFile(TraceReplayer sandbox, @TraceEndpoint Path endpoint) throws Exception {
    Queue<String> opens = new ConcurrentLinkedQueue<>();
    // Your sink goes here; this one notes who opened what.
    try (SinkServer sink = SinkServer.builder(TraceMessageHandler.perClient(client -> message -> {
      if (message.decode().payload().orElse(null) instanceof Open open && open.hasExit()) {
        opens.add(open.getContextData().getProcessName() + " opened " + open.getPathname());
      }
    })).endpoint(endpoint).start()) {
      sandbox.replayTo(endpoint);
      assertThat(sink.awaitNoClients(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(opens).contains("cat opened /etc/passwd");
  }
}
