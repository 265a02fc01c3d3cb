package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.channel.InMemorySeqPacketListener;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.record.Recording;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Like gVisor's own test: a replay into the recorder reproduces the original file byte for byte. */
@Timeout(60)
class RoundTripTest {
  static final java.util.List<String> FIXTURES = Fixtures.ALL;

  @TempDir Path dir;

  @ParameterizedTest
  @FieldSource("FIXTURES")
  void replayIntoRecorderOverARealSocketReproducesTheFile(String fixture) throws Exception {
    Path original = Fixtures.copy(fixture, dir);
    Path endpoint = dir.resolve("sink.sock");
    Path out = dir.resolve("out");
    try (TraceRecorder recorder = TraceRecorder.start(endpoint, out)) {
      ReplayResult result = TraceReplayer.replay(original, endpoint);
      assertThat(recorder.awaitNoClients(Duration.ofSeconds(30))).isTrue();
      assertThat(recorder.recordings()).singleElement()
          .satisfies(r -> assertThat(r.messages()).isEqualTo(result.messagesSent()));
    }
    assertThat(Files.readAllBytes(out.resolve("client-0001"))).isEqualTo(Files.readAllBytes(original));
  }

  @ParameterizedTest
  @FieldSource("FIXTURES")
  void replayIntoRecorderInMemoryReproducesTheFile(String fixture) throws Exception {
    Path original = Fixtures.copy(fixture, dir);
    Path out = dir.resolve("out");
    InMemorySeqPacketListener listener = new InMemorySeqPacketListener("test");
    try (TraceRecorder recorder = TraceRecorder.builder(listener, out).start()) {
      try (SeqPacketChannel channel = listener.connect()) {
        TraceReplayer.of(original).replayTo(channel);
      }
      assertThat(recorder.awaitNoClients(Duration.ofSeconds(30))).isTrue();
      Recording recording = recorder.recordings().get(0);
      assertThat(recording.isOpen()).isFalse();
      assertThat(recording.closeReason().isClean()).isTrue();
    }
    assertThat(Files.readAllBytes(out.resolve("client-0001"))).isEqualTo(Files.readAllBytes(original));
  }
}
