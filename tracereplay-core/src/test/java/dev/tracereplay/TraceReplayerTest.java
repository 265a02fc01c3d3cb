package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.file.BadSignatureException;
import dev.tracereplay.server.ClientHandler;
import dev.tracereplay.server.CloseReason;
import dev.tracereplay.server.LimitReachedException;
import dev.tracereplay.server.SinkServer;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TraceReplayerTest {
  @TempDir Path dir;

  private Path endpoint() {
    return dir.resolve("sink.sock");
  }

  /** A sink whose handler closes the client after {@code limit} messages. */
  private SinkServer sinkClosingAfter(long limit) throws IOException {
    return SinkServer.builder(client -> new ClientHandler() {
      long seen;

      @Override
      public void onMessage(ByteBuffer packet) throws IOException {
        if (++seen > limit) {
          throw new LimitReachedException("enough");
        }
      }

      @Override
      public void onClose(CloseReason reason) {}
    }).endpoint(endpoint()).start();
  }

  @Test
  void reportsWhatWasSentPerTypeAndTheSinksVersion() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    AtomicLong handshakes = new AtomicLong();
    ReplayListener listener = new ReplayListener() {
      @Override
      public void handshakeCompleted(int sinkVersion) {
        handshakes.incrementAndGet();
      }
    };
    try (SinkServer sink = sinkClosingAfter(Long.MAX_VALUE)) {
      ReplayResult result = TraceReplayer.of(trace).withListener(listener).replayTo(endpoint());

      assertThat(result.messagesSent()).isEqualTo(444);
      assertThat(result.bytesSent()).isEqualTo(Files.size(trace) - 37 - 444 * 8);
      assertThat(result.sinkVersion()).isEqualTo(1);
      assertThat(result.deliveredAll()).isTrue();
      assertThat(result.messagesOf(MessageType.SYSCALL_OPEN)).isEqualTo(210);
      assertThat(result.messagesByType()).containsEntry(1, 1L).containsEntry(34, 14L);
      assertThat(handshakes).hasValue(1);
    }
  }

  @Test
  void aFileThatIsNotATraceIsRejectedByOf() throws IOException {
    Path notATrace = Files.writeString(dir.resolve("x"), "not a trace at all");

    assertThatThrownBy(() -> TraceReplayer.of(notATrace)).isInstanceOf(BadSignatureException.class);
  }

  @Test
  void noListenerFailsNamingTheEndpoint() throws IOException {
    Path trace = Fixtures.copy("true-start.trace", dir);

    assertThatThrownBy(() -> TraceReplayer.replay(trace, endpoint()))
        .isInstanceOf(ReplayException.class)
        .hasMessage("replaying " + trace + ": cannot connect to the sink at " + endpoint()
            + ": there is no socket file at that path. Start the sink (or 'tracereplay save') on that path"
            + " first. (no message sent)");
  }

  @Test
  void aSinkWhoseQueueOfPendingConnectionsIsFullFailsAfterTheHandshakeTimeoutNamingTheEndpoint() throws Exception {
    Path trace = Fixtures.copy("true-start.trace", dir);
    Path endpoint = dir.resolve("busy.sock");
    List<UnixSeqPacketChannel> queued = new ArrayList<>();
    try (UnixSeqPacketListener neverAccepts = UnixSeqPacketListener.bind(endpoint,
        new UnixSeqPacketListener.Options(PosixFilePermissions.fromString("rw-------"), 1))) {
      // Linux queues backlog + 1 connections: fill the queue until a connect would block.
      while (queued.size() < 16) {
        try {
          queued.add(UnixSeqPacketChannel.connect(endpoint, Duration.ofMillis(200)));
        } catch (SocketTimeoutException full) {
          break;
        }
      }
      assertThat(queued).hasSizeLessThan(16);

      assertThatThrownBy(() -> TraceReplayer.of(trace).withHandshakeTimeout(Duration.ofMillis(300)).replayTo(endpoint))
          .isInstanceOf(ReplayException.class)
          .hasMessage("replaying " + trace + ": connecting to the sink at " + endpoint + " timed out after 300 ms:"
              + " something listens there but does not accept connections (its queue of pending connections is"
              + " full). Check that the sink is serving. (no message sent)")
          .hasCauseInstanceOf(SocketTimeoutException.class);
    } finally {
      for (UnixSeqPacketChannel channel : queued) {
        channel.close();
      }
    }
  }

  @Test
  void aStaleSocketFailsSayingNothingListens() throws IOException {
    Path trace = Fixtures.copy("true-start.trace", dir);
    UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint());
    Path stale = dir.resolve("stale.sock");
    Files.createLink(stale, endpoint());
    listener.close();

    assertThatThrownBy(() -> TraceReplayer.replay(trace, stale))
        .isInstanceOf(ReplayException.class).hasMessageContaining("nothing is listening there");
  }

  @Test
  void aSinkThatClosesMidStreamFailsNamingTheEndpointAndTheMessageReached() throws Exception {
    Path trace = Fixtures.copy("loop-all.trace", dir);
    try (SinkServer sink = sinkClosingAfter(100)) {
      assertThatThrownBy(() -> TraceReplayer.of(trace).replayTo(endpoint()))
          .isInstanceOfSatisfying(ReplayException.class, e -> {
            ReplayResult partial = e.partialResult();
            assertThat(partial.sinkClosedAtMessage()).isPresent();
            assertThat(partial.sinkClosedAtMessage().getAsLong()).isGreaterThan(100);
            assertThat(partial.sinkClosedAtMessage().getAsLong()).isEqualTo(partial.messagesSent() + 1);
            assertThat(e).hasMessage("replaying " + trace + ": the sink at " + endpoint()
                + " had closed the connection: sending message " + partial.sinkClosedAtMessage().getAsLong()
                + " failed (" + partial.messagesSent() + " sent before it, which the sink may not all have read)");
          });
    }
  }

  @Test
  void anEarlyCloseCanBeAcceptedAndReportedInTheResult() throws Exception {
    Path trace = Fixtures.copy("loop-all.trace", dir);
    try (SinkServer sink = sinkClosingAfter(100)) {
      ReplayResult result = TraceReplayer.of(trace).withEarlyCloseAllowed(true).replayTo(endpoint());

      assertThat(result.deliveredAll()).isFalse();
      assertThat(result.sinkClosedAtMessage().getAsLong()).isEqualTo(result.messagesSent() + 1);
    }
  }

  @Nested
  class AgainstAMisbehavingSink {
    Path trace;

    final CompletableFuture<Void> replayOver = new CompletableFuture<>();

    /**
     * Accepts one client, reads its handshake, answers with {@code answer} (or nothing) and then
     * reads nothing more, holding the connection open until the replay is over.
     */
    private CompletableFuture<Void> oneClientSink(UnixSeqPacketListener listener, byte[] answer) {
      return CompletableFuture.runAsync(() -> {
        try (SeqPacketChannel client = listener.accept()) {
          client.receive(ByteBuffer.allocate(64));
          if (answer != null) {
            client.send(ByteBuffer.wrap(answer));
          }
          replayOver.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }

    private ReplayException replayAgainst(byte[] answer, Duration handshakeTimeout) throws Exception {
      trace = Fixtures.copy("true-start.trace", dir);
      try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint())) {
        CompletableFuture<Void> sink = oneClientSink(listener, answer);
        try {
          TraceReplayer.of(trace).withHandshakeTimeout(handshakeTimeout).replayTo(endpoint());
          throw new AssertionError("the replay should have failed");
        } catch (ReplayException e) {
          return e;
        } finally {
          replayOver.complete(null);
          sink.join();
        }
      }
    }

    @Test
    void thatNeverAnswersTheHandshakeTimesOut() throws Exception {
      assertThat(replayAgainst(null, Duration.ofMillis(200)))
          .hasMessage("replaying " + trace + ": the sink at " + endpoint()
              + " did not answer the handshake within 200 ms");
    }

    @Test
    void thatAnswersWithGarbage() throws Exception {
      assertThat(replayAgainst(new byte[] {(byte) 0xff}, Duration.ofSeconds(10)))
          .hasMessageStartingWith("replaying " + trace + ": the sink at " + endpoint()
              + " answered the handshake with something that is not a gvisor.common.Handshake");
    }

    @Test
    void thatAnswersVersion0() throws Exception {
      assertThat(replayAgainst(new byte[] {0x08, 0x00}, Duration.ofSeconds(10)))
          .hasMessage("replaying " + trace + ": the sink at " + endpoint()
              + " answered the handshake with version 0; the minimum supported is 1");
    }

    @Test
    void thatAnswersWithAnEmptyPacketWhichLooksLikeAClose() throws Exception {
      assertThat(replayAgainst(new byte[0], Duration.ofSeconds(10)))
          .hasMessageContaining("closed the connection instead of answering the handshake");
    }

    @Test
    void thatStopsReadingFailsAfterTheSendTimeout() throws Exception {
      Path big = Fixtures.copy("loop-all.trace", dir);
      try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint())) {
        CompletableFuture<Void> sink = oneClientSink(listener, new byte[] {0x08, 0x01});
        try {
          assertThatThrownBy(() -> TraceReplayer.of(big).withSendTimeout(Duration.ofMillis(300)).replayTo(endpoint()))
              .isInstanceOf(ReplayException.class)
              .hasMessageContaining("the sink at " + endpoint() + " stopped reading: sending message ")
              .hasMessageContaining("timed out after 300 ms");
        } finally {
          replayOver.complete(null);
          sink.join();
        }
      }
    }
  }
}
