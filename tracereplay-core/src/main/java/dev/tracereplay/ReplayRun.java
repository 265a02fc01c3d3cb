package dev.tracereplay;

import dev.tracereplay.channel.PacketBatch;
import dev.tracereplay.channel.PeerClosedException;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.internal.replay.ReplayPlan;
import dev.tracereplay.replay.ShapeException;
import dev.tracereplay.internal.wire.Handshake;
import dev.tracereplay.internal.wire.HandshakeException;
import dev.tracereplay.wire.MessageHeader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One replay of a {@link TraceReplayer}: its reader, opened once, the plan of its shape, and what
 * it has sent. {@link #prepare} reads what must be known before connecting (a paced replay's
 * first time); {@link #over} handshakes and sends. Used by one thread, once.
 *
 * <p>The send loop copies the records of a regular file into a {@link PacketBatch} and hands the
 * batch to the channel in one call (one sendmmsg(2) on the fast path), each record still its own
 * packet. A shaped replay asks the plan first and batches only records that need no wait and carry
 * no fault: a faulty packet, a stall, a paced send or a close goes alone, after the batch before
 * it, so that the sink sees it exactly when and where it would without batching. A file that can
 * be read only once (a pipe) may trickle, so its records go one by one, as they come.
 */
final class ReplayRun implements Closeable {
  private static final int COUNTED_TYPES = 64;
  /** How much of a file that can be read only once is held in memory looking for a first time. */
  static final int LOOK_AHEAD_LIMIT = 16 << 20;
  /** The largest packet a socket's default send buffer (net.core.wmem_default, 208 KiB) surely takes. */
  private static final int DEFAULT_SEND_BUFFER_FITS = 200_000;
  /** Packets per batched send: enough that the call's cost is spread thin, few enough to fill the socket's buffer. */
  static final int BATCH_PACKETS = 256;
  /** Bytes of one batch; a record this long or longer goes alone. */
  static final int BATCH_BYTES = 64 * 1024;

  private final Path trace;
  private final ReplaySettings settings;
  private final TraceFileReader reader;
  /** Null for a replay as recorded. */
  private final ReplayPlan plan;
  /** Records read before connecting (from a file that can be read only once), in order. */
  private final List<ByteBuffer> ahead = new ArrayList<>();
  private final long[] counts = new long[COUNTED_TYPES];
  private final Map<Integer, Long> otherCounts = new HashMap<>();
  /** The batch of records waiting to be sent, or null when records go one by one. */
  private final PacketBatch batch;
  /** The record number and message type of each packet in the batch. */
  private final long[] batchNumbers;
  private final int[] batchTypes;

  private SeqPacketChannel channel;
  /** The channel when it is a socket, whose send buffer bounds the packet size; else null. */
  private UnixSeqPacketChannel socket;
  private int sendBufferFits = DEFAULT_SEND_BUFFER_FITS;
  private String endpoint;
  private int sinkVersion;
  private long start;
  private long sent;
  private long bytes;
  private long lastTaken;
  private boolean faultySent;
  private OptionalLong sinkClosedAt = OptionalLong.empty();
  private OptionalLong closedAfter = OptionalLong.empty();
  /** Whether a handshake-version fault announced a version other than the file's. */
  private boolean handshakeFault;
  /** Whether the sink closed the connection at the handshake, after a handshake-version fault. */
  private boolean refusedHandshakeFault;

  private ReplayRun(Path trace, ReplaySettings settings, TraceFileReader reader, boolean batching) {
    this.trace = trace;
    this.settings = settings;
    this.reader = reader;
    this.plan = settings.shape.isAsRecorded() ? null : ReplayPlan.of(settings.shape, settings.clock);
    this.batch = batching ? new PacketBatch(BATCH_PACKETS, BATCH_BYTES / BATCH_PACKETS) : null;
    this.batchNumbers = batching ? new long[BATCH_PACKETS] : null;
    this.batchTypes = batching ? new int[BATCH_PACKETS] : null;
  }

  /**
   * Opens the trace for one replay and checks the shape against it: a replay paced by the
   * messages' times needs a selected message with a time.
   *
   * @throws ShapeException when none has one
   */
  static ReplayRun prepare(TraceSource source, ReplaySettings settings) throws IOException {
    TraceFileReader reader = source.open(settings.maxRecordSize);
    try {
      ReplayRun run = new ReplayRun(source.path, settings, reader, source.isReopenable());
      if (run.plan != null && run.plan.pacesByTime()) {
        run.findATime(source);
      }
      return run;
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /**
   * Looks for a selected message with a time: through a second reader of a regular file, or, in a
   * file that can be read only once, through the replay's own reader, keeping what it read.
   */
  private void findATime(TraceSource source) throws IOException {
    long selected = 0;
    long held = 0;
    try (TraceFileReader look = source.isReopenable() ? source.open(settings.maxRecordSize) : null) {
      TraceFileReader records = look != null ? look : reader;
      while (records.next()) {
        ByteBuffer record = records.record();
        if (records == reader) {
          held += record.remaining();
          if (held > LOOK_AHEAD_LIMIT) {
            throw noTime("the first " + (LOOK_AHEAD_LIMIT >> 20) + " MiB of " + trace + " (not a regular file:"
                + " it is read once, so the replay holds what it reads before connecting) hold no selected"
                + " message with a time; save it to a file, or");
          }
          ahead.add(ByteBuffer.allocate(record.remaining()).put(record.duplicate()).flip());
        }
        if (records.recordNumber() > settings.shape.messages().to()) {
          break;
        }
        if (plan.selects(records.recordNumber(), record)) {
          selected++;
          if (ReplayPlan.timeNs(record).isPresent()) {
            return;
          }
        }
      }
    }
    throw noTime("none of the " + selected + " messages selected from " + trace + " has one (the trace session"
        + " did not ask for the time context field):");
  }

  private ShapeException noTime(String why) {
    String speed = settings.shape.pacing().toString();
    return new ShapeException(ShapeException.Part.SPEED, speed.substring(speed.indexOf(' ') + 1), "a replay at "
        + speed + " follows the messages' context_data.time_ns, but " + why + " pace it by rate instead");
  }

  /**
   * Handshakes over {@code channel} and sends what the shape selects, as it says; closes the
   * channel only for a {@code close} fault.
   */
  ReplayResult over(SeqPacketChannel channel) throws IOException {
    this.channel = channel;
    this.socket = channel instanceof UnixSeqPacketChannel unix ? unix : null;
    this.endpoint = channel.peerAddress();
    this.start = settings.clock.nanoTime();
    int announced = settings.shape.handshakeVersion(reader.config().version());
    handshakeFault = announced != reader.config().version();
    // A sink closing the connection after another version is the fault's expected answer.
    faultySent = handshakeFault;
    sinkVersion = handshake(announced);
    if (refusedHandshakeFault) {
      return result();
    }
    settings.listener.handshakeCompleted(sinkVersion);
    channel.setSendTimeout(settings.sendTimeout);
    for (int i = 0; i < ahead.size(); i++) {
      if (!step(i + 1, ahead.get(i))) {
        return result();
      }
    }
    if (plan == null) {
      while (reader.next()) {
        if (!queue(reader.recordNumber(), reader.record())) {
          return result();
        }
      }
    } else {
      while (reader.next()) {
        if (!step(reader.recordNumber(), reader.record())) {
          return result();  // step sent what it had batched first
        }
      }
    }
    flush();
    return result();
  }

  /** One record of a shaped replay; false when the replay is over. */
  private boolean step(long number, ByteBuffer record) throws IOException {
    long alteredBefore = plan.messagesAltered();
    ReplayPlan.Action action = plan.decide(number, record);
    if (action == ReplayPlan.Action.STOP) {
      flush();
      return false;
    }
    if (action == ReplayPlan.Action.SEND || action == ReplayPlan.Action.SEND_ALTERED) {
      ByteBuffer packet = action == ReplayPlan.Action.SEND ? record : plan.alteredPacket();
      boolean faulty = plan.messagesAltered() != alteredBefore;
      if (!faulty && !plan.mayWait() && !plan.closesAfter()) {
        plan.awaitTurn(record);  // starts the schedule; waits for nothing
        return queue(number, packet);
      }
      if (!flush()) {
        return false;
      }
      try {
        plan.awaitTurn(record);
      } catch (InterruptedIOException e) {
        throw new ReplayException(context() + "interrupted waiting to send message " + number + " (" + sent
            + " sent)", result(), e);
      }
      if (!send(number, packet)) {
        return false;
      }
      faultySent |= faulty;
    }
    if (plan.closesAfter()) {
      if (!flush()) {
        return false;
      }
      channel.close();
      closedAfter = OptionalLong.of(number);
      return false;
    }
    return true;
  }

  /**
   * Adds a packet to the batch, sending the batch first when it is full; without a batch, or for a
   * packet too long for one, sends the packet alone. False when the replay is over, as for
   * {@link #send}.
   */
  private boolean queue(long number, ByteBuffer packet) throws IOException {
    int length = packet.remaining();
    if (batch == null || length >= BATCH_BYTES || length > sendBufferFits) {
      return flush() && send(number, packet);
    }
    if (!batch.add(packet)) {
      if (!flush()) {
        return false;
      }
      batch.add(packet);  // fits an empty batch: it is shorter than BATCH_BYTES
    }
    int index = batch.size() - 1;
    batchNumbers[index] = number;
    batchTypes[index] = type(packet);
    return true;
  }

  /**
   * Sends the batch, if it holds anything, and counts the packets the kernel took; false when the
   * replay is over, as for {@link #send}.
   */
  private boolean flush() throws IOException {
    if (batch == null || batch.isEmpty()) {
      return true;
    }
    try {
      channel.send(batch);
    } catch (IOException e) {
      int taken = batch.position();
      countBatch(taken);
      int failing = Math.min(taken, batch.size() - 1);
      long number = batchNumbers[failing];
      int length = batch.length(failing);
      batch.clear();
      return failed(number, length, e);
    }
    countBatch(batch.size());
    batch.clear();
    return true;
  }

  /** Counts the first {@code taken} packets of the batch as sent. */
  private void countBatch(int taken) {
    for (int i = 0; i < taken; i++) {
      lastTaken = batchNumbers[i];
      count(batch.length(i), batchTypes[i]);
    }
  }

  /**
   * Sends one packet alone (after {@link #flush()}); false when the sink had closed the
   * connection and that ends the replay normally: when early closes are allowed, or after a packet
   * a fault made malformed (to which closing is a sink's answer).
   */
  private boolean send(long number, ByteBuffer packet) throws IOException {
    lastTaken = number;
    int length = packet.remaining();
    int type = type(packet);
    try {
      if (length > sendBufferFits && socket != null) {
        socket.setSendBufferSize(length + 4096);
        sendBufferFits = length;
      }
      channel.send(packet);
    } catch (IOException e) {
      return failed(number, length, e);
    }
    count(length, type);
    return true;
  }

  /**
   * What a failed send of message {@code number} ({@code length} bytes) means: false when the
   * sink's close ends the replay normally (see {@link #send}); otherwise a {@link ReplayException}.
   */
  private boolean failed(long number, int length, IOException e) throws ReplayException {
    lastTaken = number;
    if (e instanceof PeerClosedException) {
      sinkClosedAt = OptionalLong.of(number);
      if (settings.earlyCloseAllowed || faultySent) {
        return false;
      }
      throw new ReplayException(context() + "the sink at " + endpoint + " had closed the connection: sending"
          + " message " + number + " failed (" + sent + " sent before it, which the sink may not all have read)",
          result(), e);
    }
    if (e instanceof SocketTimeoutException) {
      throw new ReplayException(context() + "the sink at " + endpoint + " stopped reading: sending message "
          + number + " timed out after " + settings.sendTimeout.toMillis() + " ms (" + sent + " sent)", result(), e);
    }
    String hint = length > DEFAULT_SEND_BUFFER_FITS && socket != null ? ". A packet of " + length + " bytes needs"
        + " a socket send buffer as large, which the kernel caps at net.core.wmem_max: raise it (sysctl -w"
        + " net.core.wmem_max=" + 2 * length + ")" : "";
    throw new ReplayException(context() + "sending message " + number + " to " + endpoint + " failed: "
        + e.getMessage() + " (" + sent + " sent)" + hint, result(), e);
  }

  /** Counts one packet the kernel took. */
  private void count(int length, int type) {
    sent++;
    bytes += length;
    if (type < COUNTED_TYPES) {
      counts[type]++;
    } else {
      otherCounts.merge(type, 1L, Long::sum);
    }
    settings.listener.messageSent(sent);
  }

  private static int type(ByteBuffer packet) {
    return packet.remaining() >= 4 ? MessageHeader.messageType(packet, packet.position()) : 0;
  }

  /** Sends the client handshake and returns the sink's version. */
  private int handshake(int version) throws IOException {
    String context = context();
    Duration timeout = settings.handshakeTimeout;
    try {
      channel.send(Handshake.encode(version));
      channel.setReceiveTimeout(timeout);
      ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE + 1);
      int length = channel.receive(answer);
      if (length < 0) {
        if (handshakeFault) {
          refusedHandshakeFault = true;
          return 0;
        }
        throw new ReplayException(context + "the sink at " + endpoint + " closed the connection instead of"
            + " answering the handshake (an answer of version 0 is an empty packet and looks the same)", null, null);
      }
      if (Handshake.isTooBig(length)) {
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
          + timeout.toMillis() + " ms", null, e);
    } catch (PeerClosedException e) {
      if (handshakeFault) {
        refusedHandshakeFault = true;
        return 0;
      }
      throw new ReplayException(context + "the sink at " + endpoint + " closed the connection before the"
          + " handshake", null, e);
    } catch (HandshakeException e) {
      throw new ReplayException(context + "the sink at " + endpoint + " answered the handshake with something"
          + " that is not a gvisor.common.Handshake: " + e.getMessage(), null, e);
    }
  }

  private String context() {
    return "replaying " + trace + ": ";
  }

  private ReplayResult result() {
    Map<Integer, Long> byType = new HashMap<>(otherCounts);
    for (int type = 0; type < counts.length; type++) {
      if (counts[type] > 0) {
        byType.put(type, counts[type]);
      }
    }
    return new ReplayResult(trace, endpoint, sent, bytes, sinkVersion, byType, sinkClosedAt,
        Duration.ofNanos(settings.clock.nanoTime() - start), plan == null ? lastTaken : plan.messagesSelected(),
        plan == null ? 0 : plan.messagesDropped(), plan == null ? 0 : plan.messagesAltered(), closedAfter,
        handshakeFault && (refusedHandshakeFault || sinkClosedAt.isPresent()));
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
