package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.channel.PeerClosedException;
import dev.tracereplay.channel.SeqPacketListener;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.record.Recording;
import dev.tracereplay.server.CloseReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many clients, slow clients, and every limit of the recorder. */
@Timeout(120)
class TraceRecorderLimitsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;

  private Path endpoint() {
    return dir.resolve("sink.sock");
  }

  private Path out() {
    return dir.resolve("out");
  }

  @Test
  void sixtyFourClientsAtOnceEachGetTheirOwnCompleteOrderedFile() throws Exception {
    int clients = 64;
    int messages = 10_000;
    try (TraceRecorder recorder = TraceRecorder.builder(endpoint(), out()).maxClients(clients).start()) {
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        Thread thread = new Thread(() -> {
          try (RawClient raw = RawClient.connect(endpoint())) {
            for (int m = 0; m < messages; m++) {
              raw.send(numbered(client, m));
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }, "client-" + c);
        threads.add(thread);
      }
      threads.forEach(Thread::start);
      for (Thread thread : threads) {
        thread.join(DEADLINE.toMillis());
      }
      assertThat(failures).isEmpty();
      assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
      assertThat(recorder.recordings()).hasSize(clients)
          .allSatisfy(r -> assertThat(r.closeReason().isClean()).isTrue());
    }
    boolean[] seen = new boolean[clients];
    try (var files = Files.list(out())) {
      for (Path file : files.toList()) {
        List<byte[]> records = TraceFiles.records(file);
        assertThat(records).hasSize(messages);
        int client = ByteBuffer.wrap(records.get(0), 8, 4).getInt();
        assertThat(seen[client]).as("client %d has one file", client).isFalse();
        seen[client] = true;
        for (int m = 0; m < messages; m++) {
          assertThat(records.get(m)).isEqualTo(numbered(client, m));
        }
      }
    }
  }

  /** A message whose payload says which client sent it and its number. */
  private static byte[] numbered(int client, int message) {
    byte[] packet = RawClient.message(0, 8);
    ByteBuffer.wrap(packet, 8, 8).putInt(client).putInt(message);
    return packet;
  }

  @Test
  void aRecorderThatCanNoLongerAcceptSaysSoAndStopsListening() throws Exception {
    UnixSeqPacketListener real = UnixSeqPacketListener.bind(endpoint());
    SeqPacketListener closesUnderIt = new FailingListener(real, call -> null);
    AtomicReference<Throwable> told = new AtomicReference<>();
    try (TraceRecorder recorder = TraceRecorder.builder(closesUnderIt, out()).onFailure(told::set).start()) {
      try (RawClient client = RawClient.connect(endpoint())) {
        client.send(RawClient.message(1, 8));
      }
      real.close();
      Deadline.await(DEADLINE, "the failure reported", () -> told.get() != null);
      assertThat(recorder.failure()).containsSame(told.get());
      assertThat(told.get().getMessage()).contains(endpoint().toString(), "stopped accepting", "no longer listens");
      assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
      assertThat(recorder.recordings()).singleElement().satisfies(r -> assertThat(r.messages()).isEqualTo(1));
    }
  }

  @Test
  void aStuckClientNeverStallsTheOthers() throws Exception {
    try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out());
        RawClient silentInHandshake = RawClient.connectWithoutHandshake(endpoint());
        RawClient silentAfterHandshake = RawClient.connect(endpoint())) {
      try (RawClient busy = RawClient.connect(endpoint())) {
        for (int i = 0; i < 1000; i++) {
          busy.send(RawClient.message(i, 32));
        }
      }
      Deadline.await(DEADLINE, () -> recorder.recordings().stream().anyMatch(r -> !r.isOpen()));

      Recording busyRecording = recorder.recordings().stream().filter(r -> !r.isOpen()).findFirst().orElseThrow();
      assertThat(busyRecording.messages()).isEqualTo(1000);
      assertThat(TraceFiles.records(busyRecording.file())).hasSize(1000);
      assertThat(recorder.activeClients()).isEqualTo(2);
    }
  }

  @Test
  void clientsBeyondMaxClientsAreRefusedAtOnceNotQueued() throws Exception {
    try (TraceRecorder recorder = TraceRecorder.builder(endpoint(), out()).maxClients(2).start();
        RawClient first = RawClient.connect(endpoint());
        RawClient second = RawClient.connect(endpoint())) {
      try (RawClient third = RawClient.connectWithoutHandshake(endpoint())) {
        // Refused at once: the recorder may close it before the handshake is sent (a queued client's
        // send would succeed) or after (no answer, the end of the stream); either proves it.
        boolean refused;
        try {
          refused = third.handshake(ByteBuffer.wrap(new byte[] {0x08, 0x01})) == -1;
        } catch (PeerClosedException closedBeforeTheHandshake) {
          refused = true;
        }
        assertThat(refused).as("the third client was closed without a handshake answer").isTrue();
      }
      first.close();
      Deadline.await(DEADLINE, () -> recorder.activeClients() == 1);
      try (RawClient fourth = RawClient.connect(endpoint())) {
        fourth.send(RawClient.message(1, 1));
      }
      Deadline.await(DEADLINE, () -> recorder.activeClients() == 1);
      assertThat(recorder.recordings()).hasSize(3);
    }
  }

  @Test
  void aRecordingThatReachesMaxBytesIsClosedAndStaysValid() throws Exception {
    long header = 16 + 8 + 13;
    long perMessage = 8 + 8 + 10;
    try (TraceRecorder recorder = TraceRecorder.builder(endpoint(), out())
        .maxBytesPerRecording(header + 3 * perMessage).start();
        RawClient client = RawClient.connect(endpoint())) {
      int sent = 0;
      boolean closedWhileSending = false;
      try {
        for (; sent < 5; sent++) {
          client.send(RawClient.message(sent, 10));
        }
      } catch (PeerClosedException closedAtTheLimit) {
        // The recorder may close the connection after the third message, before the last sends
        // (and junixsocket then closes the descriptor, so there is nothing left to receive on).
        closedWhileSending = true;
        assertThat(sent).isGreaterThanOrEqualTo(3);
      }
      assertThat(closedWhileSending || client.awaitServerClose()).isTrue();
      assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();

      Recording recording = recorder.recordings().get(0);
      assertThat(recording.closeReason().kind()).isEqualTo(CloseReason.Kind.LIMIT_REACHED);
      assertThat(recording.closeReason().detail()).contains("reached its limit of " + (header + 3 * perMessage)
          + " bytes (maxBytesPerRecording) after 3 messages");
      assertThat(TraceFiles.records(recording.file())).hasSize(3);
      assertThat(Files.size(recording.file())).isEqualTo(header + 3 * perMessage);
    }
  }

  @Test
  void aFullDiskClosesTheClientWritingThereKeepsItsFileValidAndTheServerRunning() throws Exception {
    try (Root.Tmpfs small = Root.tmpfs(dir.resolve("small"), "256k")) {
      Path out = small.path().resolve("out");
      try (TraceRecorder recorder = TraceRecorder.start(endpoint(), out);
          RawClient bystander = RawClient.connect(endpoint())) {
        bystander.send(RawClient.message(1, 10));
        byte[] big = RawClient.message(2, 4000);
        try (RawClient flood = RawClient.connect(endpoint())) {
          for (int i = 0; i < 1000; i++) {
            flood.send(big);
          }
          assertThat(flood.awaitServerClose()).isTrue();
        } catch (dev.tracereplay.channel.PeerClosedException closedWhileSending) {
          // the server closed the flooding client while it was still sending: as expected
        }
        Deadline.await(DEADLINE, () -> recorder.recordings().get(1).closeReason() != null);
        Recording flooded = recorder.recordings().get(1);
        assertThat(flooded.closeReason().kind()).isEqualTo(CloseReason.Kind.HANDLER_FAILED);
        assertThat(flooded.closeReason().detail()).contains("writing " + flooded.file() + " failed")
            .contains("No space left on device");
        List<byte[]> kept = TraceFiles.records(flooded.file());
        assertThat(kept).isNotEmpty().allSatisfy(r -> assertThat(r).isEqualTo(big));

        Files.delete(flooded.file());
        bystander.send(RawClient.message(3, 10));
        bystander.close();
        try (RawClient later = RawClient.connect(endpoint())) {
          later.send(RawClient.message(4, 10));
        }
        assertThat(recorder.awaitNoClients(DEADLINE)).isTrue();
        assertThat(TraceFiles.records(recorder.recordings().get(0).file()))
            .containsExactly(RawClient.message(1, 10), RawClient.message(3, 10));
        assertThat(TraceFiles.records(recorder.recordings().get(2).file())).containsExactly(RawClient.message(4, 10));
      }
    }
  }
}
