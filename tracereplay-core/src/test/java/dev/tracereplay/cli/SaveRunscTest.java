package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.InstalledRunsc;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageReader;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.wire.MessageType;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * gVisor's tracereplay walkthrough with a real sandbox: {@code tracereplay save} records runsc and
 * prints gVisor's lines; {@code tracereplay replay} plays the recording back.
 */
@Timeout(180)
class SaveRunscTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void saveRecordsTheContainerStartOfARealSandboxAndReplayPlaysItBack() throws Exception {
    Path endpoint = dir.resolve("gvisor_events.sock");
    Path out = dir.resolve("trace");
    Path recording = out.resolve("client-0001");
    try (CliProcess save = CliProcess.start("save", "--endpoint=" + endpoint, "--out=" + out)) {
      save.out.awaitContains("Listening on", TIMEOUT);

      assertThat(InstalledRunsc.sandbox().points("container/start").command("/bin/true").traceTo(endpoint)).isZero();

      save.out.awaitContains("Closing client", TIMEOUT);
      save.signal("TERM");
      assertThat(save.awaitExit(TIMEOUT)).isZero();
      assertThat(save.out.text()).isEqualTo("Listening on \"" + endpoint + "\". Press ctrl-C to stop...\n"
          + "New client connected, writing to: \"" + recording + "\"\n"
          + "Closing client, wrote 1 messages to \"" + recording + "\"\n");
    }
    try (TraceMessageReader reader = TraceMessageReader.open(recording)) {
      TraceMessage start = reader.next();
      assertThat(start.type()).isEqualTo(MessageType.CONTAINER_START);
      assertThat(start.as(Start.class).getArgsList()).contains("/bin/true");
      assertThat(reader.next()).isNull();
    }

    Path replayEndpoint = dir.resolve("replay.sock");
    try (CliProcess again = CliProcess.start("save", "--endpoint=" + replayEndpoint, "--out=" + dir.resolve("again"));) {
      again.out.awaitContains("Listening on", TIMEOUT);
      try (CliProcess replay = CliProcess.start("replay", "--endpoint=" + replayEndpoint, "--in=" + recording)) {
        assertThat(replay.awaitExit(TIMEOUT)).isZero();
        assertThat(replay.out.text()).isEqualTo("Handshake completed\n\rReplaying message: 1\nDone\n");
      }
      again.out.awaitContains("Closing client, wrote 1 messages", TIMEOUT);
      again.signal("TERM");
      assertThat(again.awaitExit(TIMEOUT)).isZero();
    }
    assertThat(dir.resolve("again").resolve("client-0001")).hasSameBinaryContentAs(recording);
  }
}
