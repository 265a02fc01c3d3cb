package dev.tracereplay;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.replay.Fault;
import dev.tracereplay.replay.MessageRange;
import dev.tracereplay.replay.Pacing;
import dev.tracereplay.replay.ReplayClock;
import dev.tracereplay.replay.ReplayShape;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Streams a recorded trace into a listening sink as runsc sent it: the handshake with the file's
 * version, then every record as one packet, byte for byte, in order; or shaped, to test how a
 * sink copes: only some messages, with faults, at a pace (see {@link ReplayShape}).
 *
 * <pre>{@code
 * ReplayResult result = TraceReplayer.replay(Path.of("client-0001"), Path.of("/tmp/sink.sock"));
 *
 * TraceReplayer replayer = TraceReplayer.of(trace).withSendTimeout(Duration.ofSeconds(5));
 * replayer.replayTo(endpoint);   // as often as needed, from any thread
 *
 * TraceReplayer underLoad = replayer
 *     .withFaults(Fault.drop(2, 3), Fault.corrupt(7), Fault.closeAfter(10))
 *     .withTypes(MessageType.SYSCALL_OPEN, MessageType.CONTAINER_START)
 *     .withSpeed(2);
 * }</pre>
 *
 * <p>A replay returns when everything is <em>sent</em>, not when the sink has read it: the kernel
 * buffers packets, and the sink reads them on its own threads. Wait for the sink before checking
 * what it did (e.g. {@code SinkServer.awaitNoClients}, {@code RecordingSink.awaitMessages}).
 *
 * <p>The trace is read in large batches and never held in memory whole. Instances are immutable
 * and thread-safe: every {@code with…} method returns a new replayer. A regular file is opened
 * anew by each replay, so one replayer may run several replays at once; a trace that is not a
 * regular file (a FIFO, a pipe such as {@code <(cat f)}, {@code /dev/stdin}) is read once, by
 * the first replay (or {@link #config()}), and can be replayed only once. Failures are
 * {@link ReplayException}s naming the trace, the sink and the message reached, or
 * {@link dev.tracereplay.file.TraceFileException}s naming the file offset and record; a shape
 * that does not fit the trace is a {@link dev.tracereplay.replay.ShapeException}, thrown before
 * connecting.
 */
public final class TraceReplayer {
  private final TraceSource source;
  private final ReplaySettings settings;

  private TraceReplayer(TraceSource source, ReplaySettings settings) {
    this.source = source;
    this.settings = settings;
  }

  /** Replays {@code trace} into the sink listening at {@code endpoint}, with default settings. */
  public static ReplayResult replay(Path trace, Path endpoint) throws IOException {
    return of(trace).replayTo(endpoint);
  }

  /**
   * A replayer of {@code trace}. A regular file's signature and config are checked now; a file
   * that can be read only once (a pipe) is not opened before it is needed.
   *
   * @throws dev.tracereplay.file.TraceFileException when the file is not a valid trace
   * @throws IOException when it cannot be read
   */
  public static TraceReplayer of(Path trace) throws IOException {
    return new TraceReplayer(TraceSource.of(trace), new ReplaySettings());
  }

  /** The trace file. */
  public Path trace() {
    return source.path;
  }

  /**
   * The trace's config; its version is the one sent in the handshake (unless a
   * {@code handshake-version} fault says otherwise). A file that can be read only once is opened
   * here if it is not yet, and stays open for the replay that reads it: set
   * {@link #withMaxRecordSize} before.
   */
  public TraceConfig config() throws IOException {
    return source.config(settings.maxRecordSize);
  }

  /** How this replayer shapes its replays; {@link ReplayShape#AS_RECORDED} by default. */
  public ReplayShape shape() {
    return settings.shape;
  }

  /**
   * How long to wait for the sink to take the connection (a sink whose queue of pending
   * connections is full) and then for its handshake answer, each (default 30 s; zero waits forever).
   */
  public TraceReplayer withHandshakeTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return with(s -> s.handshakeTimeout = timeout);
  }

  /** How long one send may block on a sink that stopped reading (default 60 s). */
  public TraceReplayer withSendTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return with(s -> s.sendTimeout = timeout);
  }

  /** The largest record accepted from the trace (default 1 MiB, as gVisor), checked as each record is read. */
  public TraceReplayer withMaxRecordSize(int bytes) {
    if (bytes < 1 || bytes > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("a record limit is from 1 byte to about 2 GiB, was " + bytes);
    }
    return with(s -> s.maxRecordSize = bytes);
  }

  /**
   * Whether a sink closing the connection before the last message ends the replay normally,
   * with {@link ReplayResult#sinkClosedAtMessage()} set, instead of a {@link ReplayException}
   * (default false). After a packet that a fault made malformed has been sent, a sink closing
   * the connection always ends the replay normally: closing is a sink's answer to such a packet.
   */
  public TraceReplayer withEarlyCloseAllowed(boolean allowed) {
    return with(s -> s.earlyCloseAllowed = allowed);
  }

  /** Follows the replay's progress. */
  public TraceReplayer withListener(ReplayListener listener) {
    Objects.requireNonNull(listener, "listener");
    return with(s -> s.listener = listener);
  }

  /** Replays shaped by {@code shape}: its selection, faults, pacing and seed, replacing this replayer's. */
  public TraceReplayer withShape(ReplayShape shape) {
    Objects.requireNonNull(shape, "shape");
    return with(s -> s.shape = shape);
  }

  /**
   * Replays with these faults (and no others), e.g. {@code withFaults(Fault.drop(2, 3), Fault.closeAfter(10))}.
   *
   * @throws dev.tracereplay.replay.ShapeException when faults contradict each other
   */
  public TraceReplayer withFaults(Fault... faults) {
    return withShape(settings.shape.withFaults(List.of(faults)));
  }

  /** The seed that {@link Fault#dropRandomly} draws from (default {@link ReplayShape#DEFAULT_SEED}). */
  public TraceReplayer withSeed(long seed) {
    return withShape(settings.shape.withSeed(seed));
  }

  /** Replays only messages of these types (none given: every type). */
  public TraceReplayer withTypes(MessageType... types) {
    return withShape(settings.shape.withTypes(Arrays.stream(types).map(MessageType::number).collect(Collectors.toSet())));
  }

  /** Replays only messages with these header type numbers, also numbers no {@link MessageType} has (none: every type). */
  public TraceReplayer withTypeNumbers(int... types) {
    return withShape(settings.shape.withTypes(Arrays.stream(types).boxed().collect(Collectors.toSet())));
  }

  /** Replays only the messages at these positions in the file, e.g. {@code withMessages(MessageRange.of(10, 20))}. */
  public TraceReplayer withMessages(MessageRange messages) {
    return withShape(settings.shape.withMessages(messages));
  }

  /**
   * Replays at {@code factor} times the recorded pace, from each message's
   * {@code context_data.time_ns} (see {@link Pacing.Speed}); the trace's selected messages must
   * carry a time, which {@code replayTo} checks before connecting.
   */
  public TraceReplayer withSpeed(double factor) {
    return withShape(settings.shape.withPacing(Pacing.speed(factor)));
  }

  /** Replays {@code messagesPerSecond} messages a second, evenly (see {@link Pacing.Rate}). */
  public TraceReplayer withRate(double messagesPerSecond) {
    return withShape(settings.shape.withPacing(Pacing.rate(messagesPerSecond)));
  }

  /** The clock pacing and stalls wait by (default {@link ReplayClock#system()}); tests inject their own. */
  public TraceReplayer withClock(ReplayClock clock) {
    Objects.requireNonNull(clock, "clock");
    return with(s -> s.clock = clock);
  }

  /**
   * Connects to the sink listening at {@code endpoint}, replays the trace and closes the
   * connection (the sink then sees the end of the session, as when a sandbox exits). Returns when
   * every message is sent; the sink may still be reading: wait for it before checking what it did.
   *
   * @throws ReplayException when nothing listens there, the sink does not take the connection
   *     within the handshake timeout (naming the endpoint), or the sink fails the replay
   * @throws dev.tracereplay.replay.ShapeException before connecting, when the shape does not fit
   *     the trace
   */
  public ReplayResult replayTo(Path endpoint) throws IOException {
    try (ReplayRun run = ReplayRun.prepare(source, settings)) {
      SeqPacketChannel channel;
      try {
        // Bounded as the handshake is: a sink whose queue of pending connections is full would
        // otherwise block connect(2) until it accepts, with no word of why.
        channel = UnixSeqPacketChannel.connect(endpoint, settings.handshakeTimeout);
      } catch (IOException e) {
        throw new ReplayException("replaying " + trace() + ": " + e.getMessage() + " (no message sent)", null, e);
      }
      try (channel) {
        return run.over(channel);
      }
    }
  }

  /**
   * Replays the trace over an open channel, e.g. an in-memory one. The channel is left open
   * (close it to end the session), unless a {@code close} fault closes it. Returns when every
   * message is sent, not when the peer has read it.
   *
   * @throws ReplayException when the handshake fails or the sink closes or stops reading
   * @throws dev.tracereplay.replay.ShapeException when the shape does not fit the trace, before
   *     anything is sent
   */
  public ReplayResult replayTo(SeqPacketChannel channel) throws IOException {
    try (ReplayRun run = ReplayRun.prepare(source, settings)) {
      return run.over(channel);
    }
  }

  private TraceReplayer with(Consumer<ReplaySettings> change) {
    ReplaySettings changed = settings.copy();
    change.accept(changed);
    return new TraceReplayer(source, changed);
  }

  @Override
  public String toString() {
    return "TraceReplayer[" + trace() + (settings.shape.isAsRecorded() ? "" : ", " + settings.shape) + "]";
  }
}
