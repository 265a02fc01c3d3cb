package dev.tracereplay;

import dev.tracereplay.channel.PeerClosedException;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.file.TraceFormat;
import dev.tracereplay.wire.Handshake;
import dev.tracereplay.wire.HandshakeException;
import dev.tracereplay.wire.MessageHeader;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Streams a recorded trace into a listening sink exactly as runsc sent it: the handshake with the
 * file's version, then every record as one packet, byte for byte, in order.
 *
 * <pre>{@code
 * ReplayResult result = TraceReplayer.replay(Path.of("client-0001"), Path.of("/tmp/sink.sock"));
 *
 * TraceReplayer replayer = TraceReplayer.of(trace).withSendTimeout(Duration.ofSeconds(5));
 * replayer.replayTo(endpoint);   // as often as needed, from any thread
 * }</pre>
 *
 * <p>The trace is read in large batches and never held in memory whole. Instances are immutable
 * and thread-safe; each replay opens the file anew, so one replayer may run several replays at
 * once. Failures are {@link ReplayException}s naming the trace, the sink and the message reached,
 * or {@link dev.tracereplay.file.TraceFileException}s naming the file offset and record.
 */
public final class TraceReplayer {
  private static final int COUNTED_TYPES = 64;

  private final Path trace;
  private final TraceConfig config;
  private final Duration handshakeTimeout;
  private final Duration sendTimeout;
  private final int maxRecordSize;
  private final boolean earlyCloseAllowed;
  private final ReplayListener listener;

  private TraceReplayer(Path trace, TraceConfig config, Duration handshakeTimeout, Duration sendTimeout,
      int maxRecordSize, boolean earlyCloseAllowed, ReplayListener listener) {
    this.trace = trace;
    this.config = config;
    this.handshakeTimeout = handshakeTimeout;
    this.sendTimeout = sendTimeout;
    this.maxRecordSize = maxRecordSize;
    this.earlyCloseAllowed = earlyCloseAllowed;
    this.listener = listener;
  }

  /** Replays {@code trace} into the sink listening at {@code endpoint}, with default settings. */
  public static ReplayResult replay(Path trace, Path endpoint) throws IOException {
    return of(trace).replayTo(endpoint);
  }

  /**
   * A replayer of {@code trace}; its signature and config are checked now.
   *
   * @throws dev.tracereplay.file.TraceFileException when the file is not a valid trace
   * @throws IOException when it cannot be read
   */
  public static TraceReplayer of(Path trace) throws IOException {
    return of(trace, TraceFormat.DEFAULT_MAX_RECORD_SIZE);
  }

  private static TraceReplayer of(Path trace, int maxRecordSize) throws IOException {
    try (TraceFileReader reader = TraceFileReader.open(trace, maxRecordSize)) {
      return new TraceReplayer(trace, reader.config(), Duration.ofSeconds(30), Duration.ofSeconds(60),
          maxRecordSize, false, new ReplayListener() {});
    }
  }

  /** The trace file. */
  public Path trace() {
    return trace;
  }

  /** The trace's config; its version is the one sent in the handshake. */
  public TraceConfig config() {
    return config;
  }

  /** How long to wait for the sink's handshake answer (default 30 s). */
  public TraceReplayer withHandshakeTimeout(Duration timeout) {
    return new TraceReplayer(trace, config, Objects.requireNonNull(timeout), sendTimeout, maxRecordSize,
        earlyCloseAllowed, listener);
  }

  /** How long one send may block on a sink that stopped reading (default 60 s). */
  public TraceReplayer withSendTimeout(Duration timeout) {
    return new TraceReplayer(trace, config, handshakeTimeout, Objects.requireNonNull(timeout), maxRecordSize,
        earlyCloseAllowed, listener);
  }

  /** The largest record accepted from the trace (default 1 MiB, as gVisor). */
  public TraceReplayer withMaxRecordSize(int bytes) throws IOException {
    return of(trace, bytes).withHandshakeTimeout(handshakeTimeout).withSendTimeout(sendTimeout)
        .withEarlyCloseAllowed(earlyCloseAllowed).withListener(listener);
  }

  /**
   * Whether a sink closing the connection before the last message ends the replay normally,
   * with {@link ReplayResult#sinkClosedAtMessage()} set, instead of a {@link ReplayException}
   * (default false).
   */
  public TraceReplayer withEarlyCloseAllowed(boolean allowed) {
    return new TraceReplayer(trace, config, handshakeTimeout, sendTimeout, maxRecordSize, allowed, listener);
  }

  /** Follows the replay's progress. */
  public TraceReplayer withListener(ReplayListener listener) {
    return new TraceReplayer(trace, config, handshakeTimeout, sendTimeout, maxRecordSize, earlyCloseAllowed,
        Objects.requireNonNull(listener));
  }

  /**
   * Connects to the sink listening at {@code endpoint}, replays the trace and closes the
   * connection (the sink then sees the end of the session, as when a sandbox exits).
   *
   * @throws ReplayException when nothing listens there, or the sink fails the replay
   */
  public ReplayResult replayTo(Path endpoint) throws IOException {
    SeqPacketChannel channel;
    try {
      channel = UnixSeqPacketChannel.connect(endpoint);
    } catch (IOException e) {
      throw new ReplayException("replaying " + trace + ": " + e.getMessage() + " (no message sent)", null, e);
    }
    try (channel) {
      return replayTo(channel);
    }
  }

  /**
   * Replays the trace over an open channel, e.g. an in-memory one. The channel is left open:
   * close it to end the session.
   *
   * @throws ReplayException when the handshake fails or the sink closes or stops reading
   */
  public ReplayResult replayTo(SeqPacketChannel channel) throws IOException {
    long start = System.nanoTime();
    String endpoint = channel.peerAddress();
    try (TraceFileReader reader = TraceFileReader.open(trace, maxRecordSize)) {
      int sinkVersion = handshake(channel, reader.config().version(), endpoint);
      listener.handshakeCompleted(sinkVersion);
      channel.setSendTimeout(sendTimeout);
      long[] counts = new long[COUNTED_TYPES];
      Map<Integer, Long> otherCounts = new HashMap<>();
      long messages = 0;
      long bytes = 0;
      while (reader.next()) {
        ByteBuffer packet = reader.record();
        int length = packet.remaining();
        int type = length >= 4 ? MessageHeader.messageType(packet, packet.position()) : 0;
        try {
          channel.send(packet);
        } catch (PeerClosedException e) {
          ReplayResult partial = result(endpoint, messages, bytes, sinkVersion, counts, otherCounts,
              OptionalLong.of(messages + 1), start);
          if (earlyCloseAllowed) {
            return partial;
          }
          throw new ReplayException("replaying " + trace + ": the sink at " + endpoint
              + " closed the connection at message " + (messages + 1) + " (" + messages + " delivered)",
              partial, e);
        } catch (SocketTimeoutException e) {
          throw new ReplayException("replaying " + trace + ": the sink at " + endpoint + " stopped reading:"
              + " sending message " + (messages + 1) + " timed out after " + sendTimeout.toMillis() + " ms ("
              + messages + " delivered)", result(endpoint, messages, bytes, sinkVersion, counts, otherCounts,
              OptionalLong.empty(), start), e);
        } catch (IOException e) {
          throw new ReplayException("replaying " + trace + ": sending message " + (messages + 1) + " to "
              + endpoint + " failed: " + e.getMessage() + " (" + messages + " delivered)",
              result(endpoint, messages, bytes, sinkVersion, counts, otherCounts, OptionalLong.empty(), start), e);
        }
        messages++;
        bytes += length;
        if (type < COUNTED_TYPES) {
          counts[type]++;
        } else {
          otherCounts.merge(type, 1L, Long::sum);
        }
        listener.messageSent(messages);
      }
      return result(endpoint, messages, bytes, sinkVersion, counts, otherCounts, OptionalLong.empty(), start);
    }
  }

  /** Sends the client handshake and returns the sink's version. */
  private int handshake(SeqPacketChannel channel, int version, String endpoint) throws IOException {
    String context = "replaying " + trace + ": ";
    try {
      channel.send(Handshake.encode(version));
      channel.setReceiveTimeout(handshakeTimeout);
      ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE);
      int length = channel.receive(answer);
      if (length < 0) {
        throw new ReplayException(context + "the sink at " + endpoint + " closed the connection instead of"
            + " answering the handshake (an answer of version 0 is an empty packet and looks the same)", null, null);
      }
      if (length >= Handshake.MAX_SIZE) {
        throw new ReplayException(context + "the sink at " + endpoint + " answered the handshake with a message"
            + " too big (" + length + " bytes or more)", null, null);
      }
      int sinkVersion = Handshake.decode(answer.flip());
      if (!Handshake.isSupported(sinkVersion)) {
        throw new ReplayException(context + "the sink at " + endpoint + " answered the handshake with version "
            + Integer.toUnsignedString(sinkVersion) + "; the minimum supported is "
            + Handshake.MIN_SUPPORTED_VERSION, null, null);
      }
      return sinkVersion;
    } catch (SocketTimeoutException e) {
      throw new ReplayException(context + "the sink at " + endpoint + " did not answer the handshake within "
          + handshakeTimeout.toMillis() + " ms", null, e);
    } catch (PeerClosedException e) {
      throw new ReplayException(context + "the sink at " + endpoint + " closed the connection before the"
          + " handshake", null, e);
    } catch (HandshakeException e) {
      throw new ReplayException(context + "the sink at " + endpoint + " answered the handshake with something"
          + " that is not a gvisor.common.Handshake: " + e.getMessage(), null, e);
    }
  }

  private ReplayResult result(String endpoint, long messages, long bytes, int sinkVersion, long[] counts,
      Map<Integer, Long> otherCounts, OptionalLong closedAt, long start) {
    Map<Integer, Long> byType = new HashMap<>(otherCounts);
    for (int type = 0; type < counts.length; type++) {
      if (counts[type] > 0) {
        byType.put(type, counts[type]);
      }
    }
    return new ReplayResult(trace, endpoint, messages, bytes, sinkVersion, byType, closedAt,
        Duration.ofNanos(System.nanoTime() - start));
  }

  @Override
  public String toString() {
    return "TraceReplayer[" + trace + ", version " + Integer.toUnsignedString(config.version()) + "]";
  }
}
