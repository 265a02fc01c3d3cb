package com.example.sink;

import static dev.tracereplay.junit5.TraceReplayAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceRecorder;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.junit5.TraceReplayExtension;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.points.TraceMessageReader;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.record.Recording;
import dev.tracereplay.server.SinkServer;
import dev.tracereplay.wire.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user of tracereplay-junit5 does: replays a real runsc recording into a sink, decodes its
 * typed points, records a session, with the extension's @ReplayTrace and @TraceEndpoint, also
 * from a @Nested class; and the endpoint directories are gone after each test.
 */
@ExtendWith(TraceReplayExtension.class)
@ReplayTrace("true-start.trace")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SinkTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static Path firstEndpoint;

  @Test
  @Order(1)
  void aSinkReceivesTheSandboxsTypedPoints(TraceReplayer sandbox, @TraceEndpoint Path endpoint) throws Exception {
    firstEndpoint = endpoint;
    List<Start> starts = new CopyOnWriteArrayList<>();
    TraceMessageHandler handler = message -> {
      if (message.decode().payload().orElse(null) instanceof Start start) {
        starts.add(start);
      }
    };
    try (SinkServer sink = SinkServer.builder(TraceMessageHandler.perClient(client -> handler)).endpoint(endpoint).start()) {
      assertThat(sandbox.replayTo(endpoint)).deliveredAll();
      assertThat(sink.awaitNoClients(TIMEOUT)).isTrue();
    }
    assertThat(starts).singleElement().satisfies(start -> {
      assertThat(start.getId()).isEqualTo("runsc-409429");
      assertThat(start.getArgsList()).containsExactly("/bin/true");
    });
  }

  @Test
  @Order(2)
  void theEndpointDirectoryOfTheTestBeforeIsGone() {
    assertThat(firstEndpoint).isNotNull();
    assertThat(firstEndpoint.getParent()).doesNotExist();
  }

  @Test
  @Order(3)
  void aRecordingOfAReplayDecodesToTheSamePoints(TraceReplayer sandbox, @TraceEndpoint Path endpoint, @TempDir Path out)
      throws Exception {
    try (TraceRecorder recorder = TraceRecorder.start(endpoint, out)) {
      sandbox.replayTo(endpoint);
      assertThat(recorder.awaitNoClients(TIMEOUT)).isTrue();
      Recording recording = recorder.recordings().get(0);

      assertThat(recording.messages()).isEqualTo(1);
      assertThat(recording.file()).hasSameBinaryContentAs(sandbox.trace());
      try (TraceMessageReader reader = TraceMessageReader.open(recording.file())) {
        TraceMessage message = reader.next();
        assertThat(message.type()).isEqualTo(MessageType.CONTAINER_START);
        assertThat(message.as(Start.class).getCwd()).isEqualTo("/");
      }
    }
  }

  @Nested
  class InANestedClass {
    @Test
    void theOuterClasssTraceIsTheDefault(TraceReplayer sandbox) {
      assertThat(sandbox).hasMessageCount(1).containsType(MessageType.CONTAINER_START);
    }
  }

  /** The versions the build chose are the ones on the class path: tracereplay brought no other. */
  @Test
  void theClassPathHasTheJUnitAndProtobufTheBuildChose() throws Exception {
    assertThat(Test.class.getPackage().getImplementationVersion()).isEqualTo(System.getProperty("expected.junit"));
    assertThat(Class.forName("org.junit.jupiter.engine.JupiterTestEngine").getPackage().getImplementationVersion())
        .isEqualTo(System.getProperty("expected.junit"));
    Path protobuf = Path.of(com.google.protobuf.Message.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(protobuf.getFileName().toString()).isEqualTo("protobuf-java-" + System.getProperty("expected.protobuf") + ".jar");
    assertThat(Files.isRegularFile(protobuf)).isTrue();
  }
}
