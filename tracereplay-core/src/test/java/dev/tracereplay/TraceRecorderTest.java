package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.record.Recording;
import dev.tracereplay.record.RecordingListener;
import dev.tracereplay.server.CloseReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(60)
class TraceRecorderTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir Path dir;

  private Path endpoint() {
    return dir.resolve("sink.sock");
  }

  private Path out() {
    return dir.resolve("out");
  }

  @Test
  void recordsEachClientIntoItsOwnNumberedFileAndTellsTheListener() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    RecordingListener listener = new RecordingListener() {
      @Override
      public void clientConnected(Recording r) {
        events.add("connected " + r.file().getFileName());
      }

      @Override
      public void clientClosed(Recording r) {
        events.add("closed " + r.file().getFileName() + " " + r.messages());
      }
    };
    try (TraceRecorder recorder = TraceRecorder.builder(endpoint(), out()).prefix("run-").listener(listener).start()) {
      try (RawClient first = RawClient.connect(endpoint())) {
        first.send(RawClient.message(1, 10)).send(RawClient.message(2, 20));
      }
      assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
      try (RawClient second = RawClient.connect(endpoint())) {
        second.send(RawClient.message(3, 30));
      }
      assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();

      assertThat(recorder.recordings()).extracting(Recording::messages).containsExactly(2L, 1L);
      assertThat(recorder.recordings()).allSatisfy(r -> assertThat(r.closeReason().isClean()).isTrue());
    }
    assertThat(events).containsExactly("connected run-0001", "closed run-0001 2", "connected run-0002",
        "closed run-0002 1");
    assertThat(TraceFiles.records(out().resolve("run-0001"))).containsExactly(RawClient.message(1, 10), RawClient.message(2, 20));
    assertThat(TraceFiles.records(out().resolve("run-0002"))).containsExactly(RawClient.message(3, 30));
  }

  @Test
  void flushesAnIdleRecordingSoItIsCompleteOnDiskWhileTheClientIsStillConnected() throws Exception {
    try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out());
        RawClient client = RawClient.connect(endpoint())) {
      client.send(RawClient.message(7, 100));

      Path file = out().resolve("client-0001");
      long expectedSize = 16 + 8 + 13 + 8 + 108;
      Deadline.await(DEADLINE, () -> Files.size(file) == expectedSize);
      assertThat(TraceFiles.records(file)).containsExactly(RawClient.message(7, 100));
      assertThat(recorder.recordings().get(0).isOpen()).isTrue();
    }
  }

  @Test
  void aClientThatPausesBetweenMessagesIsRecordedWhole() throws Exception {
    // A pause makes the receiver flush and wait; an idle timeout that is read as the end of the
    // stream (junixsocket reports both as -1) would end the recording early.
    try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out())) {
      try (RawClient client = RawClient.connect(endpoint())) {
        for (int i = 0; i < 40; i++) {
          client.send(RawClient.message(i, 10));
          long resume = System.nanoTime() + 3_000_000L * (1 + i % 3);
          while (System.nanoTime() < resume) {
            Thread.onSpinWait(); // the client's own pacing, not a wait for the server
          }
        }
      }
      assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
      Recording recording = recorder.recordings().get(0);
      assertThat(recording.closeReason().isClean()).isTrue();
      assertThat(recording.messages()).isEqualTo(40);
    }
  }

  @Test
  void closeDrainsConnectedClientsAndClosesTheirRecordingsCleanly() throws Exception {
    RawClient client;
    TraceRecorder recorder = TraceRecorder.start(endpoint(), out());
    client = RawClient.connect(endpoint());
    for (int i = 0; i < 1000; i++) {
      client.send(RawClient.message(i, 50));
    }
    recorder.close();

    Recording recording = recorder.recordings().get(0);
    assertThat(recording.isOpen()).isFalse();
    assertThat(recording.closeReason().kind()).isEqualTo(CloseReason.Kind.SERVER_CLOSED);
    assertThat(recording.messages()).isEqualTo(1000);
    assertThat(TraceFiles.records(out().resolve("client-0001"))).hasSize(1000);
    assertThat(endpoint()).doesNotExist();
    client.close();
  }

  @Test
  void smallAndLargeMessagesQueuedTogetherAreRecordedWholeAndInOrder() throws Exception {
    // Sent faster than one receive per packet takes them, so that on the JDK 22+ path batched
    // receives take small and large packets together in one call.
    int[] sizes = {56, 100_000, 56, 1, 150_000, 56, 56, 56};
    List<byte[]> sent = new ArrayList<>();
    try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out())) {
      try (RawClient client = RawClient.connect(endpoint())) {
        for (int round = 0; round < 40; round++) {
          for (int size : sizes) {
            byte[] message = RawClient.message(sent.size(), size);
            client.send(message);
            sent.add(message);
          }
        }
      }
      assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
      assertThat(recorder.recordings().get(0).closeReason().kind()).isEqualTo(CloseReason.Kind.PEER_CLOSED);
    }
    assertThat(TraceFiles.records(out().resolve("client-0001"))).containsExactlyElementsOf(sent);
  }

  static Stream<Arguments> malformedPackets() {
    ByteBuffer headerTooSmall = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 4);
    ByteBuffer headerBeyondPacket = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 17);
    return Stream.of(
        Arguments.of("shorter than 8 bytes", new byte[] {8, 0, 7, 0, 0}, "packet of 5 bytes is shorter than the"
            + " 8-byte message header"),
        Arguments.of("header_size below 8", headerTooSmall.array(), "header_size 4 is smaller than the 8-byte header"),
        Arguments.of("header_size beyond the packet", headerBeyondPacket.array(),
            "header_size 17 is beyond the end of the 16-byte packet"),
        Arguments.of("over the size limit", RawClient.message(9, 3000), "is over the 2048-byte limit"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedPackets")
  void aMalformedPacketClosesOnlyItsClientAndKeepsWhatItSentBefore(String name, byte[] bad, String reason)
      throws Exception {
    try (TraceRecorder recorder = TraceRecorder.builder(endpoint(), out()).maxMessageSize(2048).start();
        RawClient hostile = RawClient.connect(endpoint());
        RawClient honest = RawClient.connect(endpoint())) {
      hostile.send(RawClient.message(1, 10)).send(RawClient.message(2, 10)).send(bad);
      honest.send(RawClient.message(3, 10));

      assertThat(hostile.awaitServerClose()).isTrue();
      honest.send(RawClient.message(4, 10));
      honest.close();
      assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();

      Recording hostileRecording = recorder.recordings().get(0);
      assertThat(hostileRecording.closeReason().kind()).isEqualTo(CloseReason.Kind.MALFORMED);
      assertThat(hostileRecording.closeReason().detail()).contains("message 3").contains(reason);
      assertThat(TraceFiles.records(hostileRecording.file()))
          .containsExactly(RawClient.message(1, 10), RawClient.message(2, 10));
      assertThat(TraceFiles.records(recorder.recordings().get(1).file()))
          .containsExactly(RawClient.message(3, 10), RawClient.message(4, 10));
    }
  }

  @Nested
  class Handshake {

    @Test
    void version1IsAcceptedAndAnsweredWith1() throws Exception {
      try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out());
          RawClient client = RawClient.connectWithoutHandshake(endpoint())) {
        assertThat(client.handshake(ByteBuffer.wrap(new byte[] {0x08, 0x01}))).isEqualTo(1);
      }
      assertThat(out().resolve("client-0001")).exists();
    }

    @Test
    void version2IsAcceptedAndTheFileRecordsTheRecordersVersion1() throws Exception {
      try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out());
          RawClient client = RawClient.connectWithoutHandshake(endpoint())) {
        assertThat(client.handshake(ByteBuffer.wrap(new byte[] {0x08, 0x02}))).isEqualTo(1);
        client.send(RawClient.message(1, 1));
      }
      try (TraceFileReader reader = TraceFileReader.open(out().resolve("client-0001"))) {
        assertThat(reader.config()).isEqualTo(new TraceConfig(1));
      }
    }

    @Test
    void version0IsAnEmptyPacketThatReadsAsACloseAndLeavesNoFile() throws Exception {
      try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out());
          RawClient client = RawClient.connectWithoutHandshake(endpoint())) {
        assertThat(client.handshake(ByteBuffer.allocate(0))).isEqualTo(-1);
        assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
        assertThat(recorder.recordings()).isEmpty();
      }
      assertThat(out()).isEmptyDirectory();
    }

    @Test
    void anExplicitVersion0OrGarbageOrAnOversizedHandshakeIsRefusedWithoutAFile() throws Exception {
      try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out())) {
        for (byte[] packet : List.of(new byte[] {0x08, 0x00}, new byte[] {(byte) 0xff, (byte) 0xff},
            new byte[10_240])) {
          try (RawClient client = RawClient.connectWithoutHandshake(endpoint())) {
            assertThat(client.handshake(ByteBuffer.wrap(packet))).isEqualTo(-1);
          }
        }
        assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
        assertThat(recorder.recordings()).isEmpty();
      }
      assertThat(out()).isEmptyDirectory();
    }

    @Test
    void aClientThatHangsUpDuringTheHandshakeLeavesNoFile() throws Exception {
      try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out())) {
        RawClient.connectWithoutHandshake(endpoint()).close();
        assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
        try (RawClient next = RawClient.connect(endpoint())) {
          next.send(RawClient.message(1, 1));
        }
        assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
      }
      try (Stream<Path> files = Files.list(out())) {
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("client-0001");
      }
    }
  }

  @Nested
  class NeverOverwrites {

    @Test
    void numberingContinuesAfterTheHighestRecordingAlreadyThere() throws Exception {
      Files.createDirectories(out());
      Files.writeString(out().resolve("client-0001"), "first");
      Files.writeString(out().resolve("client-0007"), "seventh");
      Files.writeString(out().resolve("client-notes"), "unrelated");
      try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out())) {
        try (RawClient client = RawClient.connect(endpoint())) {
          client.send(RawClient.message(1, 1));
        }
        assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
        assertThat(recorder.recordings().get(0).file()).isEqualTo(out().resolve("client-0008"));
      }
      assertThat(Files.readString(out().resolve("client-0001"))).isEqualTo("first");
      assertThat(Files.readString(out().resolve("client-0007"))).isEqualTo("seventh");
    }

    @Test
    void twoRecordersOnOneDirectoryNeverShareOrOverwriteAFile() throws Exception {
      int clientsEach = 8;
      Path otherEndpoint = dir.resolve("other.sock");
      try (TraceRecorder one = TraceRecorder.start(endpoint(), out());
          TraceRecorder two = TraceRecorder.start(otherEndpoint, out())) {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < clientsEach * 2; i++) {
          Path target = i % 2 == 0 ? endpoint() : otherEndpoint;
          int seed = i;
          Thread thread = new Thread(() -> {
            try (RawClient client = RawClient.connect(target)) {
              for (int m = 0; m < 50; m++) {
                client.send(RawClient.message(seed, 20));
              }
            } catch (Throwable e) {
              failures.add(e);
            }
          });
          thread.start();
          threads.add(thread);
        }
        for (Thread thread : threads) {
          thread.join(DEADLINE.toMillis());
        }
        assertThat(failures).isEmpty();
        assertThat(one.awaitNoClients(DEADLINE)).isTrue();
        assertThat(two.awaitNoClients(DEADLINE)).isTrue();
        assertThat(one.recordings()).hasSize(clientsEach);
        assertThat(two.recordings()).hasSize(clientsEach);
      }
      try (Stream<Path> files = Files.list(out())) {
        List<Path> all = files.toList();
        assertThat(all).hasSize(clientsEach * 2);
        for (Path file : all) {
          List<byte[]> records = TraceFiles.records(file);
          assertThat(records).hasSize(50);
          assertThat(records).allSatisfy(r -> assertThat(r).isEqualTo(records.get(0)));
        }
      }
    }

    @Test
    void aLinkPlantedUnderTheNextNameIsSkippedNotFollowed() throws Exception {
      Files.createDirectories(out());
      Path victim = dir.resolve("victim");
      Files.writeString(victim, "precious");
      try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out())) {
        Files.createSymbolicLink(out().resolve("client-0001"), victim);
        try (RawClient client = RawClient.connect(endpoint())) {
          client.send(RawClient.message(1, 1));
        }
        assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
        assertThat(recorder.recordings().get(0).file()).isEqualTo(out().resolve("client-0002"));
      }
      assertThat(Files.readString(victim)).isEqualTo("precious");
    }
  }

  @Test
  void anUnwritableOutputDirectoryRefusesTheClientAndTheServerKeepsRunning() throws Exception {
    try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out())) {
      Files.delete(out());
      Files.writeString(out(), "a file where the directory was");
      try (RawClient refused = RawClient.connectWithoutHandshake(endpoint())) {
        assertThat(refused.handshake(ByteBuffer.wrap(new byte[] {0x08, 0x01}))).isEqualTo(-1);
      }
      Files.delete(out());
      Files.createDirectory(out());
      try (RawClient client = RawClient.connect(endpoint())) {
        client.send(RawClient.message(1, 1));
      }
      assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
      assertThat(recorder.recordings()).hasSize(1);
    }
  }

  @Test
  void rejectsAPrefixThatIsAPath() {
    assertThatThrownBy(() -> TraceRecorder.builder(endpoint(), out()).prefix("../x").start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain file name part");
  }
}
