package dev.tracereplay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.Deadline;
import dev.tracereplay.FailingListener;
import dev.tracereplay.RawClient;
import dev.tracereplay.channel.PacketBatch;
import dev.tracereplay.channel.PeerClosedException;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.SeqPacketListener;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.internal.server.DirectBufferPool;
import dev.tracereplay.internal.wire.Handshake;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server never silently stops serving: failures to admit a client, a handler's Error, a
 * failing accept, floods of silent connections, no buffers, and what a client sends after its
 * handshake that is no message. Every case over a real socket, with a later client served whole.
 */
@Timeout(120)
class SinkServerReliabilityTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final int MESSAGES = 50;

  @TempDir Path dir;

  private Path endpoint() {
    return dir.resolve("sink.sock");
  }

  /** Keeps what each client's handler received, and how each ended. */
  static final class Collector implements ClientHandlerFactory {
    final List<List<byte[]>> messages = new CopyOnWriteArrayList<>();
    final List<CloseReason> closes = new CopyOnWriteArrayList<>();

    @Override
    public ClientHandler newClient(ClientInfo client) {
      List<byte[]> received = new CopyOnWriteArrayList<>();
      messages.add(received);
      return new ClientHandler() {
        @Override
        public void onMessage(ByteBuffer packet) {
          byte[] copy = new byte[packet.remaining()];
          packet.get(copy);
          received.add(copy);
        }

        @Override
        public void onClose(CloseReason reason) {
          closes.add(reason);
        }
      };
    }
  }

  /** Sends {@link #MESSAGES} numbered messages on a new connection and closes it. */
  private static void sendWhole(Path endpoint) throws IOException {
    try (RawClient client = RawClient.connect(endpoint)) {
      for (int i = 0; i < MESSAGES; i++) {
        client.send(RawClient.message(i, 16));
      }
    }
  }

  /** The last client's messages arrived whole and in order, and it ended cleanly. */
  private static void assertLastClientWhole(Collector collector) throws Exception {
    Deadline.await(DEADLINE, "the last client's close", () -> collector.closes.size() == collector.messages.size()
        && !collector.messages.isEmpty());
    List<byte[]> last = collector.messages.get(collector.messages.size() - 1);
    assertThat(last).hasSize(MESSAGES);
    for (int i = 0; i < MESSAGES; i++) {
      assertThat(last.get(i)).isEqualTo(RawClient.message(i, 16));
    }
    assertThat(collector.closes.get(collector.closes.size() - 1).isClean()).isTrue();
  }

  /** Whether the server closed this client without answering its handshake. */
  private static boolean refusedWithoutAnswer(Path endpoint) throws IOException {
    try (RawClient client = RawClient.connectWithoutHandshake(endpoint)) {
      return client.handshake(Handshake.encode(1)) == -1;
    } catch (PeerClosedException closedBeforeTheHandshake) {
      return true;
    }
  }

  @Nested
  class Admission {
    @Test
    void aThreadThatCannotBeStartedRefusesOnlyThatClientAndFreesItsSlot() throws Exception {
      Collector collector = new Collector();
      AtomicInteger threadsAsked = new AtomicInteger();
      try (SinkServer server = SinkServer.builder(collector).endpoint(endpoint()).maxClients(1)
          .threads(task -> {
            if (threadsAsked.incrementAndGet() <= 3) {
              throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource"
                  + " limits reached");
            }
            return new Thread(task);
          }).start()) {
        for (int i = 0; i < 3; i++) {
          assertThat(refusedWithoutAnswer(endpoint())).isTrue();
        }
        Deadline.await(DEADLINE, () -> server.refusedClients() == 3);
        assertThat(server.activeClients()).isZero();
        // maxClients is 1: a slot leaked by a failed start would refuse this one.
        sendWhole(endpoint());
        assertLastClientWhole(collector);
        assertThat(server.acceptedClients()).isEqualTo(1);
        assertThat(server.failure()).isEmpty();
      }
    }

    @Test
    void aHandlerFactoryThatThrowsAnErrorRefusesThatClientOnly() throws Exception {
      Collector collector = new Collector();
      AtomicInteger calls = new AtomicInteger();
      ClientHandlerFactory failingFirst = client -> {
        switch (calls.incrementAndGet()) {
          case 1 -> throw new StackOverflowError();
          case 2 -> throw new AssertionError("a bug in the factory");
          case 3 -> throw new IllegalStateException("a broken factory");
          default -> {
            return collector.newClient(client);
          }
        }
      };
      try (SinkServer server = SinkServer.builder(failingFirst).endpoint(endpoint()).maxClients(1).start()) {
        for (int i = 0; i < 3; i++) {
          try (RawClient client = RawClient.connectWithoutHandshake(endpoint())) {
            assertThat(client.handshake(Handshake.encode(1))).as("refused before the answer").isEqualTo(-1);
          }
        }
        Deadline.await(DEADLINE, () -> server.refusedClients() == 3 && server.activeClients() == 0);
        sendWhole(endpoint());
        assertLastClientWhole(collector);
      }
    }

    @Test
    void aClientThatCannotHaveItsBufferIsRefusedBeforeTheAnswerAndLeavesNoDescriptor() throws Exception {
      Collector collector = new Collector();
      AtomicInteger allocations = new AtomicInteger();
      int size = ServerConfig.defaults().maxMessageSize() + 1;
      DirectBufferPool<PacketBatch> noMemoryAtFirst = DirectBufferPool.ofBatches(1, size, 4, bytes -> {
        if (allocations.incrementAndGet() <= 2) {
          throw new OutOfMemoryError("Cannot reserve " + bytes + " bytes of direct buffer memory");
        }
        return new PacketBatch(1, bytes);
      });
      try (SinkServer server = SinkServer.builder(collector).endpoint(endpoint()).receiveBuffers(noMemoryAtFirst)
          .start()) {
        long descriptorsBefore = openDescriptors();
        for (int i = 0; i < 2; i++) {
          try (RawClient client = RawClient.connectWithoutHandshake(endpoint())) {
            assertThat(client.handshake(Handshake.encode(1))).as("refused before the answer").isEqualTo(-1);
          }
        }
        Deadline.await(DEADLINE, () -> server.refusedClients() == 2 && server.activeClients() == 0);
        assertThat(collector.messages).as("no handler (no file) for a client without buffers").isEmpty();
        Deadline.await(DEADLINE, "the refused clients' descriptors closed",
            () -> openDescriptors() <= descriptorsBefore);
        sendWhole(endpoint());
        assertLastClientWhole(collector);
        assertThat(noMemoryAtFirst.lent()).isZero();
      }
    }

    private static long openDescriptors() throws IOException {
      try (var fds = Files.list(Path.of("/proc/self/fd"))) {
        return fds.count();
      }
    }
  }

  @Test
  void manySessionsReuseAFewReceiveBuffers() throws Exception {
    Collector collector = new Collector();
    dev.tracereplay.channel.InMemorySeqPacketListener listener =
        new dev.tracereplay.channel.InMemorySeqPacketListener("reuse");
    try (SinkServer server = SinkServer.builder(collector).listener(listener).start()) {
      for (int i = 0; i < 2_000; i++) {
        try (SeqPacketChannel client = listener.connect()) {
          client.setReceiveTimeout(DEADLINE);
          client.send(Handshake.encode(1));
          assertThat(client.receive(ByteBuffer.allocate(16))).isPositive();
          client.send(ByteBuffer.wrap(RawClient.message(i, 16)));
        }
        assertThat(server.awaitNoClients(DEADLINE)).isTrue();
      }
      assertThat(collector.closes).hasSize(2_000).allSatisfy(reason -> assertThat(reason.isClean()).isTrue());
      // A buffer per session left to the collector was 1 MiB each: now the same one or two serve them all.
      assertThat(server.receiveBuffers().lent()).isZero();
      assertThat(server.receiveBuffers().allocated()).isLessThanOrEqualTo(2);
    }
  }

  @Nested
  class HandlerErrors {
    @Test
    void aStackOverflowInTheHandlerClosesThatClientWithAReasonAndOnClose() throws Exception {
      Collector collector = new Collector();
      AtomicReference<CloseReason> failed = new AtomicReference<>();
      AtomicInteger clients = new AtomicInteger();
      ClientHandlerFactory firstOverflows = client -> {
        if (clients.incrementAndGet() > 1) {
          return collector.newClient(client);
        }
        return new ClientHandler() {
          int received;

          @Override
          public void onMessage(ByteBuffer packet) {
            if (++received == 3) {
              throw new StackOverflowError();
            }
          }

          @Override
          public void onClose(CloseReason reason) {
            failed.set(reason);
          }
        };
      };
      try (SinkServer server = SinkServer.builder(firstOverflows).endpoint(endpoint()).start();
          RawClient hostile = RawClient.connect(endpoint())) {
        for (int i = 0; i < 3; i++) {
          hostile.send(RawClient.message(i, 16));
        }
        Deadline.await(DEADLINE, "onClose of the client whose handler overflowed", () -> failed.get() != null);
        assertThat(failed.get().kind()).isEqualTo(CloseReason.Kind.HANDLER_FAILED);
        assertThat(failed.get().detail()).contains("handling message 3", "StackOverflowError");
        assertThat(failed.get().messages()).as("the message that failed is not counted").isEqualTo(2);
        assertThat(hostile.awaitServerClose()).isTrue();
        sendWhole(endpoint());
        assertLastClientWhole(collector);
      }
    }

    @Test
    void aRefusedMessageIsNotCounted() throws Exception {
      AtomicReference<CloseReason> closed = new AtomicReference<>();
      ClientHandlerFactory takesThree = client -> new ClientHandler() {
        int received;

        @Override
        public void onMessage(ByteBuffer packet) throws IOException {
          if (++received == 4) {
            throw new LimitReachedException("only 3 messages allowed");
          }
        }

        @Override
        public void onClose(CloseReason reason) {
          closed.set(reason);
        }
      };
      try (SinkServer server = SinkServer.builder(takesThree).endpoint(endpoint()).start();
          RawClient client = RawClient.connect(endpoint())) {
        for (int i = 0; i < 4; i++) {
          client.send(RawClient.message(i, 16));
        }
        Deadline.await(DEADLINE, () -> closed.get() != null);
        assertThat(closed.get().kind()).isEqualTo(CloseReason.Kind.LIMIT_REACHED);
        assertThat(closed.get().messages()).isEqualTo(3);
      }
    }

    @Test
    void aVmDeathErrorIsTheOnlyOnePassedOn() {
      assertThat(ClientConnection.isVmDeath(new InternalError())).isTrue();
      assertThat(ClientConnection.isVmDeath(new StackOverflowError())).isFalse();
      assertThat(ClientConnection.isVmDeath(new OutOfMemoryError())).isFalse();
      assertThat(ClientConnection.isVmDeath(new AssertionError())).isFalse();
    }
  }

  @Nested
  class AcceptFailures {
    @Test
    void aTransientAcceptErrorIsRetriedAndTheServerGoesOn() throws Exception {
      Collector collector = new Collector();
      UnixSeqPacketListener real = UnixSeqPacketListener.bind(endpoint());
      SeqPacketListener failsTwice =
          new FailingListener(real, call -> call <= 2 ? new OutOfMemoryError("Java heap space") : null);
      try (SinkServer server = SinkServer.builder(collector).listener(failsTwice)
          .acceptRetry(5, Duration.ofMillis(1)).start()) {
        sendWhole(endpoint());
        assertLastClientWhole(collector);
        assertThat(server.failure()).isEmpty();
      }
    }

    @Test
    void anAcceptThatKeepsFailingStopsListeningAndSaysSo() throws Exception {
      Collector collector = new Collector();
      UnixSeqPacketListener real = UnixSeqPacketListener.bind(endpoint());
      AtomicReference<Throwable> told = new AtomicReference<>();
      SeqPacketListener failsFromTheSecond =
          new FailingListener(real, call -> call >= 2 ? new OutOfMemoryError("Java heap space") : null);
      try (SinkServer server = SinkServer.builder(collector).listener(failsFromTheSecond)
          .acceptRetry(5, Duration.ofMillis(1)).onFailure(told::set).start()) {
        sendWhole(endpoint());   // the first accept works
        assertLastClientWhole(collector);
        Deadline.await(DEADLINE, "the failure reported", () -> told.get() != null);
        assertThat(server.failure()).containsSame(told.get());
        assertThat(told.get().getMessage()).contains("stopped accepting", "5 times in a row",
            "OutOfMemoryError", endpoint().toString());
        assertThat(endpoint()).as("it no longer listens: the socket is gone").doesNotExist();
      }
    }
  }

  @Nested
  class SilentConnections {
    @Test
    void threeHundredSilentConnectionsDoNotLockARealClientOutAndAreLoggedInAFewLines() throws Exception {
      Collector collector = new Collector();
      List<RawClient> silent = new ArrayList<>();
      try (SinkServer server = SinkServer.builder(collector).endpoint(endpoint())
          .handshakeTimeout(Duration.ofSeconds(1)).start()) {
        try {
          for (int i = 0; i < 300; i++) {
            silent.add(RawClient.connectWithoutHandshake(endpoint()));
          }
          // Past the pending limit they are refused at once; the rest time out: none holds a recording slot.
          Deadline.await(DEADLINE, "all 300 refused", () -> server.refusedClients() == 300);
          sendWhole(endpoint());
          assertLastClientWhole(collector);
          assertThat(server.refusalLogLines()).as("refusals logged once per interval, not per client")
              .isLessThanOrEqualTo(4);
        } finally {
          for (RawClient client : silent) {
            client.close();
          }
        }
      }
    }

    @Test
    void clientsInTheirHandshakeDoNotCountTowardMaxClients() throws Exception {
      Collector collector = new Collector();
      List<RawClient> silent = new ArrayList<>();
      try (SinkServer server = SinkServer.builder(collector).endpoint(endpoint()).maxClients(2)
          .handshakeTimeout(Duration.ofSeconds(50)).start()) {
        try {
          for (int i = 0; i < 10; i++) {
            silent.add(RawClient.connectWithoutHandshake(endpoint()));
          }
          Deadline.await(DEADLINE, () -> server.activeClients() == 10);
          try (RawClient first = RawClient.connect(endpoint()); RawClient second = RawClient.connect(endpoint())) {
            assertThat(server.recordingClients()).isEqualTo(2);
            assertThat(refusedWithoutAnswer(endpoint())).as("a third is over maxClients").isTrue();
          }
          Deadline.await(DEADLINE, () -> server.recordingClients() == 0);
          sendWhole(endpoint());
          assertLastClientWhole(collector);
        } finally {
          for (RawClient client : silent) {
            client.close();
          }
        }
      }
    }
  }

  @Nested
  class Protocol {
    @Test
    void anEmptyPacketAfterTheHandshakeClosesTheClientAsSuchNotAsANormalClose() throws Exception {
      Collector collector = new Collector();
      try (SinkServer server = SinkServer.builder(collector).endpoint(endpoint()).start();
          RawClient client = RawClient.connect(endpoint())) {
        client.send(RawClient.message(1, 16)).send(RawClient.message(2, 16)).send(new byte[0]);
        assertThat(client.awaitServerClose()).isTrue();
        assertClosedAsMalformed(collector, "message 3 is an empty packet", 2);
      }
    }

    @Test
    void anEmptyPacketBetweenPacketsClosesTheClientAsMalformedAlsoWhenOneReceiveTakesThemAll() throws Exception {
      Collector collector = new Collector();
      CountDownLatch sent = new CountDownLatch(1);
      // The handler is made after the handshake is read and before the server's first receive:
      // holding it until all three packets are queued makes that receive find them together (one
      // recvmmsg on JDK 22+: message, end, message).
      ClientHandlerFactory afterTheSend = client -> {
        try {
          sent.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return collector.newClient(client);
      };
      try (SinkServer server = SinkServer.builder(afterTheSend).endpoint(endpoint()).start();
          RawClient client = RawClient.connectWithoutHandshake(endpoint())) {
        ByteBuffer handshake = Handshake.encode(1);
        byte[] handshakeBytes = new byte[handshake.remaining()];
        handshake.get(handshakeBytes);
        client.send(handshakeBytes).send(RawClient.message(1, 16)).send(new byte[0]).send(RawClient.message(2, 16));
        sent.countDown();
        assertThat(client.channel().receive(ByteBuffer.allocate(16))).as("the handshake answer").isPositive();
        assertThat(client.awaitServerClose()).isTrue();
        assertClosedAsMalformed(collector, "message 2 is an empty packet", 1);
        assertThat(collector.messages.get(0)).containsExactly(RawClient.message(1, 16));
      }
    }

    /** Waits for the one client's close: as malformed, for {@code detail}, after {@code messages} messages. */
    private void assertClosedAsMalformed(Collector collector, String detail, long messages) throws Exception {
      Deadline.await(DEADLINE, () -> collector.closes.size() == 1);
      CloseReason reason = collector.closes.get(0);
      assertThat(reason.kind()).isEqualTo(CloseReason.Kind.MALFORMED);
      assertThat(reason.detail()).contains(detail);
      assertThat(reason.messages()).isEqualTo(messages);
    }

    /** A valid handshake of exactly {@code size} bytes: version 1, padded by an unknown field. */
    private byte[] handshakeOfSize(int size) {
      int padding = size - 2 - 1 - 2;   // version field, the unknown field's tag, its 2-byte length
      ByteBuffer packet = ByteBuffer.allocate(size);
      packet.put((byte) 0x08).put((byte) 0x01).put((byte) 0x12);
      packet.put((byte) ((padding & 0x7f) | 0x80)).put((byte) (padding >>> 7));
      return packet.array();
    }

    @Test
    void theHandshakeLimitIs10239BytesOnBothSides() throws Exception {
      assertThat(Handshake.MAX_SIZE).isEqualTo(10_239);
      assertThat(Handshake.isTooBig(10_239)).isFalse();
      assertThat(Handshake.isTooBig(10_240)).isTrue();
      Collector collector = new Collector();
      try (SinkServer server = SinkServer.builder(collector).endpoint(endpoint()).start()) {
        try (RawClient atTheLimit = RawClient.connectWithoutHandshake(endpoint())) {
          assertThat(atTheLimit.handshake(ByteBuffer.wrap(handshakeOfSize(10_239)))).isEqualTo(1);
        }
        try (RawClient over = RawClient.connectWithoutHandshake(endpoint())) {
          assertThat(over.handshake(ByteBuffer.wrap(handshakeOfSize(10_240)))).isEqualTo(-1);
        }
        Deadline.await(DEADLINE, () -> server.refusedClients() == 1);
      }
      assertThatThrownBy(() -> ServerConfig.defaults().withMaxHandshakeSize(10_240))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 10239");
    }
  }
}
