package dev.tracereplay.cli;

import dev.tracereplay.TraceRecorder;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.internal.wire.Handshake;
import dev.tracereplay.record.Recording;
import dev.tracereplay.server.ServerConfig;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the recorder's receive path before {@code save} listens, so that the JIT compiles it then
 * rather than while the first sandboxes send: runsc drops trace points whenever its saver falls
 * behind, and on a small machine the compiler threads take their CPU from the sandboxes. A
 * private {@link TraceRecorder} (the same server, handler and writer code as save's) in a new
 * owner-only temporary directory records a few clients that send small messages through real
 * sockets, pausing now and then so that the idle path (the flush after a pause) is compiled too;
 * then the directory is deleted with everything in it. It runs before save's own recorder exists,
 * so what save records is unchanged.
 *
 * <p>Bounded: a fixed number of messages, and a deadline after which it stops where it is. It
 * never fails save: a failure of its own (no temporary directory, say) costs only the speed-up
 * and is logged at debug level.
 *
 * <p>Off unless {@code -Dtracereplay.warmup=true} (through {@code TRACEREPLAY_JAVA_OPTS}): in
 * the runsc load test it brought save's CPU time during the session down to the C saver's and cut
 * the points runsc dropped while save was new, but over whole sessions runsc dropped more
 * (bench/README.md, "runsc load" and "where save loses runsc points"), so it is not worth its
 * start-up time by default.
 */
final class SaveWarmUp {
  private static final Logger log = LoggerFactory.getLogger(SaveWarmUp.class);

  /** The system property that turns the warm-up on when {@code true}. */
  static final String PROPERTY = "tracereplay.warmup";
  /** The longest a warm-up takes before it gives up where it is. */
  static final Duration TIME_LIMIT = Duration.ofSeconds(3);
  /** How long closing the warm-up's recorder may wait for its clients: they have closed by then. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);
  /**
   * Clients at once, as several sandboxes into one saver (the server's shared parts see
   * contention too); each generation of clients connects once the one before has closed, so that
   * connecting, a new file and closing also run against compiled code (a path the compiled code
   * never saw is compiled again when it is first taken).
   */
  static final int CLIENTS = 4;
  /** Generations of {@link #CLIENTS} clients, one after the other. */
  static final int GENERATIONS = 4;
  /** Bursts each client sends, with a pause after each (until the recorder has flushed every recording). */
  static final int BURSTS = 4;
  /** Messages each client sends in a burst: more than a recording's write buffer holds, so that it fills. */
  static final int BURST = 500;
  /**
   * The message sizes sent in turn, header included: mostly small, as runsc's system call points,
   * and some of a few KiB, as an execve's arguments and environment.
   */
  private static final int[] SIZES = {48, 72, 96, 120, 64, 4096, 160, 88, 240, 56, 2048, 104, 136, 80, 1024, 200};

  /** What a warm-up did: messages sent (all recorded when it completed), pauses, and whether it ran to its end. */
  record Outcome(long messages, int pauses, boolean completed) { }

  private SaveWarmUp() { }

  /** Whether the warm-up is on: {@value #PROPERTY} is {@code true}. */
  static boolean enabled() {
    return Boolean.getBoolean(PROPERTY);
  }

  /**
   * Runs a warm-up in a new temporary directory of {@code parent}, deleted before it returns.
   *
   * @param maxMessageSize save's message limit, so that the warm-up's server has the same buffers
   * @return what it did; never throws for a failure of its own
   */
  static Outcome run(Path parent, int maxMessageSize, Duration timeLimit) {
    long deadline = System.nanoTime() + timeLimit.toNanos();
    Path directory = null;
    try {
      directory = Files.createTempDirectory(parent, "tracereplay-warmup-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      return record(directory, maxMessageSize, deadline);
    } catch (IOException | RuntimeException e) {
      log.debug("The warm-up before listening failed, save goes on without it: {}", e.toString());
      return new Outcome(0, 0, false);
    } finally {
      if (directory != null) {
        deleteTree(directory);
      }
    }
  }

  /**
   * The generations, each into a recorder of its own: a new recorder's clients receive into new
   * batches, so the branches that set up a batch on its first use (its native headers, its slot
   * views) are taken in every generation. With one recorder they were taken only in the first,
   * before the JIT compiled the receive path, which it then compiled as if they were never taken,
   * and save's first real clients (new batches again) sent that code back to the interpreter.
   */
  private static Outcome record(Path directory, int maxMessageSize, long deadline) throws IOException {
    Path endpoint = directory.resolve("s");
    Progress progress = new Progress();
    ByteBuffer[] packets = packets();
    for (int generation = 0; generation < GENERATIONS; generation++) {
      try (TraceRecorder recorder = TraceRecorder.builder(endpoint, directory.resolve("out"))
          .config(ServerConfig.defaults().withName("warmup"))
          .maxMessageSize(maxMessageSize)
          .closeGracePeriod(CLOSE_GRACE)
          .start()) {
        if (!generation(recorder, endpoint, packets, progress, deadline)) {
          return progress.outcome(false);
        }
      }
    }
    return progress.outcome(true);
  }

  /** Messages sent so far, and pauses. */
  private static final class Progress {
    long messages;
    int pauses;

    Outcome outcome(boolean completed) {
      return new Outcome(messages, pauses, completed);
    }
  }

  /** One generation of clients: connect, send the bursts, close, wait until their recordings are closed. */
  private static boolean generation(TraceRecorder recorder, Path endpoint, ByteBuffer[] packets, Progress progress,
      long deadline) throws IOException {
    List<UnixSeqPacketChannel> clients = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(connect(endpoint, deadline));
      }
      int next = 0;
      long sent = 0;
      for (int burst = 0; burst < BURSTS; burst++) {
        for (int i = 0; i < BURST; i++) {
          ByteBuffer packet = packets[next++ % packets.length];
          for (UnixSeqPacketChannel client : clients) {
            client.send(packet.rewind());
          }
        }
        sent += (long) BURST * clients.size();
        progress.messages += (long) BURST * clients.size();
        if (!awaitFlushed(recorder, sent, deadline)) {
          return false;
        }
        progress.pauses++;
      }
    } finally {
      for (UnixSeqPacketChannel client : clients) {
        client.close();
      }
    }
    try {
      return recorder.awaitNoClients(remaining(deadline));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Connects and does the client's side of the handshake. */
  private static UnixSeqPacketChannel connect(Path endpoint, long deadline) throws IOException {
    UnixSeqPacketChannel channel = UnixSeqPacketChannel.connect(endpoint, remaining(deadline));
    try {
      channel.setSendTimeout(remaining(deadline));
      channel.setReceiveTimeout(remaining(deadline));
      channel.send(Handshake.encode(Handshake.CURRENT_VERSION));
      ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE + 1);
      if (channel.receive(answer) < 0) {
        throw new IOException("the warm-up recorder closed the connection instead of answering the handshake");
      }
      Handshake.decode(answer.flip());
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Direct buffers, as runsc's packets arrive, each a well-formed message of one of {@link #SIZES}. */
  private static ByteBuffer[] packets() {
    ByteBuffer[] packets = new ByteBuffer[SIZES.length];
    for (int i = 0; i < SIZES.length; i++) {
      ByteBuffer packet = ByteBuffer.allocateDirect(SIZES[i]);
      MessageHeader.of(MessageType.SYSCALL_RAW, 0).writeTo(packet);
      while (packet.hasRemaining()) {
        packet.put((byte) packet.position());
      }
      packets[i] = packet.flip();
    }
    return packets;
  }

  /**
   * Waits until the recorder has every message sent and every recording is on disk in full: it
   * flushes a recording only once its client paused, so the idle path has run for each.
   *
   * @return false when the deadline passed first
   */
  private static boolean awaitFlushed(TraceRecorder recorder, long messages, long deadline) throws IOException {
    while (!flushed(recorder, messages)) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static boolean flushed(TraceRecorder recorder, long messages) throws IOException {
    long received = 0;
    for (Recording recording : recorder.recordings()) {
      if (Files.size(recording.file()) != recording.bytes()) {
        return false;
      }
      received += recording.messages();
    }
    return received == messages;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
  }

  /** Deletes the directory and everything in it, deepest first; links are deleted, never followed. */
  private static void deleteTree(Path directory) {
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path entry : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(entry);
      }
    } catch (IOException e) {
      log.warn("could not delete the warm-up's temporary directory {}: {}", directory, e.toString());
    }
  }
}
