package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.record.Recording;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real runsc sandbox records into a TraceRecorder: the recorder is a working runsc remote sink. */
@Timeout(120)
class RunscEndToEndTest {
  @TempDir Path dir;

  @Test
  void recordsTheContainerStartOfARealSandbox() throws Exception {
    Path endpoint = dir.resolve("events.sock");
    Path out = dir.resolve("trace");
    try (TraceRecorder recorder = TraceRecorder.start(endpoint, out)) {
      assertThat(InstalledRunsc.sandbox().points("container/start").command("/bin/true").traceTo(endpoint)).isZero();
      assertThat(recorder.awaitNoClients(Duration.ofSeconds(30))).isTrue();

      assertThat(recorder.recordings()).singleElement().satisfies(recording -> {
        assertThat(recording.messages()).isEqualTo(1);
        assertThat(recording.closeReason().isClean()).isTrue();
      });
      Recording recording = recorder.recordings().get(0);
      try (TraceFileReader reader = TraceFileReader.open(recording.file())) {
        assertThat(reader.next()).isTrue();
        ByteBuffer packet = reader.record();
        MessageHeader header = MessageHeader.read(packet);
        assertThat(header.type()).isEqualTo(MessageType.CONTAINER_START);
        Start start = Start.parseFrom(packet.position(packet.position() + header.headerSize()));
        assertThat(start.getArgsList()).contains("/bin/true");
        assertThat(reader.next()).isFalse();
      }
    }
  }
}
