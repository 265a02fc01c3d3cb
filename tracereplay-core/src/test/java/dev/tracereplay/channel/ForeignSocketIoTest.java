package dev.tracereplay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The socket contract on direct buffers, which take the FFM fast path on JDK 22 and later and
 * junixsocket's calls before: the same tests pass on both (run them with each JDK).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ForeignSocketIoTest {
  @TempDir
  Path dir;

  UnixSeqPacketListener listener;
  SeqPacketChannel client;
  SeqPacketChannel server;
  final ExecutorService threads = Executors.newCachedThreadPool();
  Thread blocked;

  @BeforeEach
  void connect() throws IOException {
    listener = UnixSeqPacketListener.bind(dir.resolve("s.sock"));
    client = UnixSeqPacketChannel.connect(dir.resolve("s.sock"));
    server = listener.accept();
  }

  @AfterEach
  void close() throws IOException {
    client.close();
    server.close();
    listener.close();
    threads.shutdownNow();
  }

  @Test
  void theFastPathIsUsedFromJdk22On() {
    assertThat(ForeignSocketIo.AVAILABLE).isEqualTo(Runtime.version().feature() >= 22);
  }

  @Test
  void packetsKeepTheirBoundariesAndBytes() throws IOException {
    ByteBuffer small = direct("hello");
    ByteBuffer large = ByteBuffer.allocateDirect(100_000);
    for (int i = 0; i < large.capacity(); i++) {
      large.put(i, (byte) i);
    }

    client.send(small);
    client.send(large);

    assertThat(small.hasRemaining()).isFalse();
    assertThat(large.hasRemaining()).isFalse();
    ByteBuffer received = ByteBuffer.allocateDirect(200_000);
    assertThat(server.receive(received)).isEqualTo(5);
    assertThat(received.flip()).isEqualTo(direct("hello"));
    received.clear().position(7);
    assertThat(server.receive(received)).isEqualTo(100_000);
    assertThat(received.position()).isEqualTo(100_007);
    assertThat(received.flip().position(7)).isEqualTo(large.flip());
  }

  @Test
  void aPacketLongerThanTheSpaceIsCutSilently() throws IOException {
    client.send(direct("0123456789"));
    client.send(direct("next"));

    ByteBuffer three = ByteBuffer.allocateDirect(3);
    assertThat(server.receive(three)).isEqualTo(3);
    assertThat(three.flip()).isEqualTo(direct("012"));
    ByteBuffer rest = ByteBuffer.allocateDirect(100);
    assertThat(server.receive(rest)).isEqualTo(4);
  }

  @Test
  void aBatchReceiveTakesWhatIsQueuedInOneCallOnTheFastPath() throws IOException {
    for (int i = 0; i < 5; i++) {
      client.send(direct("p" + i));
    }

    PacketBatch batch = new PacketBatch(8, 16);
    assertThat(server.receive(batch)).isEqualTo(ForeignSocketIo.AVAILABLE ? 5 : 1);
    assertThat(batch.packet(0)).isEqualTo(direct("p0"));
  }

  @Test
  void aBatchWithSlotsForTheLargestPacketUsesMemoryOnlyWherePacketsLandAndGivesBackALargeOnesPages()
      throws IOException {
    PacketBatch batch = new PacketBatch(64, (1 << 20) + 1);
    assertThat(batch.lazilyMapped).isEqualTo(ForeignSocketIo.AVAILABLE);
    if (!batch.lazilyMapped) {
      return;  // before JDK 22: a direct buffer of the whole capacity, as ever
    }
    long base = ForeignSocketIo.address(batch.buffer());
    assertThat(residentKib(base)).as("resident before any packet (KiB)").isLessThan(64);

    ByteBuffer large = SeqPacketChannelContract.pattern(180_000, 1);
    client.send(large);
    assertThat(server.receive(batch)).isEqualTo(1);
    assertThat(batch.packet(0)).isEqualTo(large.rewind());
    assertThat(residentKib(base)).as("resident with a 180,000-byte packet (KiB)").isGreaterThanOrEqualTo(175);
    batch.clear();  // as a server's pool does when a client goes
    assertThat(residentKib(base)).as("resident once cleared (KiB)")
        .isLessThanOrEqualTo(ForeignSocketIo.RESIDENT_PER_SLOT / 1024 + 8);

    client.send(large.rewind());
    assertThat(server.receive(batch)).isEqualTo(1);
    client.send(direct("small"));
    assertThat(server.receive(batch)).isEqualTo(1);
    assertThat(batch.packet(0)).isEqualTo(direct("small"));
    assertThat(residentKib(base)).as("resident once the large packet is replaced (KiB)")
        .isLessThanOrEqualTo(ForeignSocketIo.RESIDENT_PER_SLOT / 1024 + 8);
  }

  /**
   * The resident KiB of the first slot of a batch at {@code address}, from /proc/self/pagemap
   * (bit 63 of each page's entry: present).
   */
  private static long residentKib(long address) throws IOException {
    int pages = ((1 << 20) + 1 + 4095) / 4096;
    ByteBuffer entries = ByteBuffer.allocate(pages * 8).order(java.nio.ByteOrder.nativeOrder());
    try (var pagemap = java.nio.channels.FileChannel.open(Path.of("/proc/self/pagemap"))) {
      long at = address / 4096 * 8;
      while (entries.hasRemaining() && pagemap.read(entries, at + entries.position()) > 0) {
        // read on
      }
    }
    long present = 0;
    for (int i = 0; i < pages; i++) {
      present += entries.getLong(i * 8) >>> 63;
    }
    return present * 4;
  }

  @Test
  void aBatchSendHandsManyPacketsToTheKernelInOneCallOnTheFastPath() throws Exception {
    // A peer that reads nothing yet: the whole batch must be in its queue when the send returns.
    PacketBatch batch = new PacketBatch(64, 8);
    for (int i = 0; i < 64; i++) {
      batch.add(direct("m" + i));
    }

    client.send(batch);

    assertThat(batch.position()).isEqualTo(64);
    PacketBatch received = new PacketBatch(64, 8);
    int total = 0;
    while (total < 64) {
      int count = server.receive(received);
      for (int i = 0; i < count; i++) {
        assertThat(received.packet(i)).isEqualTo(direct("m" + (total + i)));
      }
      total += count;
    }
  }

  @Test
  void aSendTimeoutAppliesToSendsOnly() throws Exception {
    // A receive waiting forever in one thread, and in another, sends with a short timeout to a
    // peer that does not read: the sends time out, the receive goes on waiting and then gets its
    // packet.
    CompletableFuture<Integer> receive = CompletableFuture.supplyAsync(() -> receive(server, 100), threads);
    server.setSendTimeout(Duration.ofMillis(20));
    ByteBuffer packet = ByteBuffer.allocateDirect(1000);
    assertThatThrownBy(() -> {
      for (int i = 0; i < 100_000; i++) {
        server.send(packet.clear());
      }
    }).isInstanceOf(SocketTimeoutException.class);
    assertThatThrownBy(() -> server.send(packet.clear())).isInstanceOf(SocketTimeoutException.class);

    client.send(direct("late"));
    assertThat(receive.get(10, TimeUnit.SECONDS)).isEqualTo(4);
  }

  @Test
  void theEndOfStreamReadsAsMinusOne() throws IOException {
    client.send(direct("last"));
    client.close();

    ByteBuffer buffer = ByteBuffer.allocateDirect(100);
    assertThat(server.receive(buffer)).isEqualTo(4);
    buffer.clear();
    assertThat(server.receive(buffer)).isEqualTo(-1);
  }

  @Test
  void anExpiredReceiveTimeoutIsATimeoutAndTheChannelStaysUsable() throws IOException {
    server.setReceiveTimeout(Duration.ofMillis(50));
    ByteBuffer buffer = ByteBuffer.allocateDirect(100);

    assertThatThrownBy(() -> server.receive(buffer))
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessageContaining("timed out after 50 ms");

    client.send(direct("ok"));
    assertThat(server.receive(buffer)).isEqualTo(2);
  }

  @Test
  void aBatchReceiveWaitsOutItsTimeoutThoughSignalsInterruptTheWait() throws Exception {
    // A signal ends a recvmmsg(2) that waits under a timeout with EINTR, whatever the handler's
    // SA_RESTART. The receive loop's call does not capture errno: a failure is asked again without
    // waiting, and nothing queued then must read as an expired timeout only once it has expired.
    assumeTrue(System.getProperty("os.arch").equals("amd64") && Files.isExecutable(Path.of("/usr/bin/perl")),
        "signals a thread with tgkill(2), syscall 234 of x86-64, through perl");
    AtomicInteger signals = new AtomicInteger();
    Signal winch = new Signal("WINCH");
    SignalHandler before = Signal.handle(winch, signal -> signals.incrementAndGet());
    try {
      server.setReceiveTimeout(Duration.ofMillis(1000));
      PacketBatch batch = new PacketBatch(4, 8);
      long start = System.nanoTime();
      CompletableFuture<Object> ended = blockedIn("receive", () -> server.receive(batch));
      long tid = nativeThreadId(BLOCKED_THREAD);

      Process signaller = new ProcessBuilder("/usr/bin/perl", "-e", "for (1..20) { syscall(234, "
          + ProcessHandle.current().pid() + ", " + tid + ", 28) == 0 or last; select(undef, undef, undef, 0.01) }")
          .redirectErrorStream(true).start();
      assertThat(signaller.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(signaller.exitValue()).as(new String(signaller.getInputStream().readAllBytes())).isZero();

      assertThat(ended.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketTimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
      assertThat(signals.get()).isPositive();
      client.send(direct("ok"));
      assertThat(server.receive(batch)).isEqualTo(1);
      assertThat(batch.packet(0)).isEqualTo(direct("ok"));
    } finally {
      Signal.handle(winch, before);
    }
  }

  /** The kernel's id of this process's thread named {@code name} (at most 15 characters). */
  private static long nativeThreadId(String name) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path task : tasks) {
          try {
            if (Files.readString(task.resolve("comm")).strip().equals(name)) {
              return Long.parseLong(task.getFileName().toString());
            }
          } catch (IOException gone) {
            // a thread that ended meanwhile
          }
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("no thread named " + name + " in /proc/self/task");
  }

  @Test
  void sendingToAClosedPeerIsPeerClosed() throws IOException {
    server.close();

    assertThatThrownBy(() -> {
      for (int i = 0; i < 10; i++) {
        client.send(direct("x"));
      }
    }).isInstanceOf(PeerClosedException.class).hasMessageContaining("has closed the connection");
  }

  @Test
  void aSendThatCannotProceedTimesOut() throws IOException {
    client.setSendTimeout(Duration.ofMillis(50));
    ByteBuffer packet = ByteBuffer.allocateDirect(1000);

    assertThatThrownBy(() -> {
      for (int i = 0; i < 100_000; i++) {
        packet.clear();
        client.send(packet);
      }
    }).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("the peer is not reading");
  }

  @Test
  void closingUnblocksABlockedReceive() throws Exception {
    CompletableFuture<Object> ended = blockedIn("receive", () -> server.receive(ByteBuffer.allocateDirect(100)));

    server.close();

    assertThat(ended.get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
        result -> assertThat(result).isEqualTo(-1), result -> assertThat(result).isInstanceOf(IOException.class));
  }

  @Test
  void closingUnblocksABlockedBatchReceive() throws Exception {
    PacketBatch batch = new PacketBatch(4, 100);
    CompletableFuture<Object> ended = blockedIn("receive", () -> server.receive(batch) == 1 ? batch.length(0) : 0);

    server.close();

    assertThat(ended.get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
        result -> assertThat(result).isEqualTo(-1), result -> assertThat(result).isInstanceOf(IOException.class));
  }

  @Test
  void closingUnblocksABlockedSend() throws Exception {
    ByteBuffer packet = ByteBuffer.allocateDirect(1000);
    CompletableFuture<Object> ended = blockedIn("send", () -> {
      while (true) {
        client.send(packet.clear());
      }
    });

    client.close();

    assertThat(ended.get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
  }

  @Test
  void anInterruptOfABlockedReceiveClosesTheChannel() throws Exception {
    // Heap buffers go through the JDK's FileChannel on every JDK: interruptible, as NIO channels are.
    CompletableFuture<Object> ended = blockedIn("receive", () -> server.receive(ByteBuffer.allocate(100)));

    blocked.interrupt();

    assertThat(ended.get(10, TimeUnit.SECONDS)).isInstanceOf(ClosedByInterruptException.class);
    assertThatThrownBy(() -> server.send(ByteBuffer.wrap(new byte[] {1}))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> client.send(direct("x"))).isInstanceOf(PeerClosedException.class);
  }

  /** The name of the thread {@link #blockedIn} starts, short enough for the kernel's (15 characters). */
  private static final String BLOCKED_THREAD = "tr-blocked-call";

  interface SocketCall {
    int call() throws IOException;
  }

  /**
   * Runs {@code call} in a new thread and returns once that thread is inside the socket call: its
   * result, or the IOException it threw.
   */
  private CompletableFuture<Object> blockedIn(String method, SocketCall call) {
    CompletableFuture<Object> ended = new CompletableFuture<>();
    blocked = new Thread(() -> {
      try {
        ended.complete(call.call());
      } catch (IOException e) {
        ended.complete(e);
      }
    }, BLOCKED_THREAD);
    blocked.start();
    awaitInSocketCall(blocked, method);
    return ended;
  }

  /**
   * Waits until {@code thread} is inside the socket call (the FFM fast path, or the JDK's native
   * read or write), where it blocks; the test holds even if the call has not reached the kernel yet.
   */
  private static void awaitInSocketCall(Thread thread, String method) {
    String jdkMethod = method.equals("receive") ? "read0" : "write0";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (StackTraceElement frame : thread.getStackTrace()) {
        if (frame.getClassName().endsWith("ForeignSocketIo") && frame.getMethodName().equals(method)
            || frame.getClassName().endsWith("FileDispatcherImpl") && frame.getMethodName().equals(jdkMethod)) {
          return;
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError(thread + " did not reach its " + method + " call");
  }

  private static int receive(SeqPacketChannel channel, int capacity) {
    try {
      return channel.receive(ByteBuffer.allocateDirect(capacity));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ByteBuffer direct(String text) {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }
}
