package dev.tracereplay.internal.replay;

import dev.tracereplay.replay.ReplayShape;
import dev.tracereplay.replay.ReplayClock;
import dev.tracereplay.replay.Pacing;
import dev.tracereplay.replay.Fault;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.wire.MalformedMessageException;
import dev.tracereplay.wire.MessageHeader;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * One replay of a {@link ReplayShape}: for each record of the trace, in file order, what to do
 * with it ({@link #decide}), the altered packet when it is altered, when to send it
 * ({@link #awaitTurn}) and whether the connection ends after it ({@link #closesAfter}). The
 * sender (the replayer, or {@code filter} writing a file) reads the records, asks, and sends
 * the reader's bytes untouched whenever the answer is {@link Action#SEND}, so that a run of
 * such records can go to the socket as they are. A shape that
 * {@linkplain ReplayShape#isAsRecorded() changes nothing} needs no plan at all.
 *
 * <p>Not thread-safe: one plan per replay. It allocates only when a packet is first altered
 * (one buffer, reused) and, when pacing by speed, to read each message's time.
 */
public final class ReplayPlan {

  /** What to do with one record. */
  public enum Action {
    /** Send the record as it is. */
    SEND,
    /** Send {@link #alteredPacket()} instead of the record. */
    SEND_ALTERED,
    /** Not selected: send nothing, count nothing (no drop). */
    SKIP,
    /** Dropped by a fault: send nothing; later headers count it. */
    DROP,
    /** Past the selected range: the replay is over, read no further. */
    STOP
  }

  private static final int CORRUPT = bit(Fault.Alteration.Kind.CORRUPT);
  private static final int SHORT = bit(Fault.Alteration.Kind.SHORT);
  private static final int BAD_HEADER = bit(Fault.Alteration.Kind.BAD_HEADER);
  private static final int UNKNOWN_TYPE = bit(Fault.Alteration.Kind.UNKNOWN_TYPE);
  private static final int OVERSIZE = bit(Fault.Alteration.Kind.OVERSIZE);
  private static final int PACKET_FAULTS = (1 << Fault.Alteration.Kind.values().length) - 1;
  private static final int CLOSE = PACKET_FAULTS + 1;
  private static final long NO_TIME = Long.MIN_VALUE;

  private final ReplayClock clock;
  private final long from;
  private final long to;
  /** The selected type numbers as a bit set, or null for every type. */
  private final long[] types;
  private final long[] dropFrom;
  private final long[] dropTo;
  private int dropCursor;
  /** A draw below this (of 2^53) drops a message; 0 when nothing drops at random. */
  private final long randomDropBelow;
  private final long seed;
  /** The positions where a fault acts, ascending, with their faults and stalls. */
  private final long[] eventAt;
  private final int[] eventFaults;
  private final long[] eventStallNanos;
  private int eventCursor;
  private final Pacing pacing;

  private int faultsHere;
  private long pendingStallNanos;
  private long selected;
  private long dropped;
  private long altered;
  private ByteBuffer scratch;

  private boolean started;
  private long startNanos;
  private long stallTotalNanos;
  private long paced;
  private long firstTime = NO_TIME;
  private long latestTime = NO_TIME;

  /** The state of one replay of {@code shape}, waiting by {@code clock}. */
  public static ReplayPlan of(ReplayShape shape, ReplayClock clock) {
    return new ReplayPlan(shape, clock);
  }

  private ReplayPlan(ReplayShape shape, ReplayClock clock) {
    this.clock = clock;
    this.from = shape.messages().from();
    this.to = shape.messages().to();
    this.types = shape.types().isEmpty() ? null : bits(shape);
    this.pacing = shape.pacing();
    this.seed = shape.seed();
    List<long[]> drops = new ArrayList<>();
    TreeMap<Long, long[]> events = new TreeMap<>(); // position -> {fault bits, stall nanos}
    long randomBelow = 0;
    for (Fault fault : shape.faults()) {
      if (fault instanceof Fault.Drop drop) {
        drops.add(new long[] {drop.from(), drop.to()});
      } else if (fault instanceof Fault.RandomDrop random) {
        randomBelow = Math.max(1, (long) (random.percent() / 100 * (1L << 53)));
      } else if (fault instanceof Fault.Stall stall) {
        long[] event = event(events, stall.message());
        event[1] = saturatedAdd(event[1], nanos(stall.pause().toNanos()));
      } else if (fault instanceof Fault.Alteration alteration) {
        event(events, alteration.message())[0] |= bit(alteration.kind());
      } else if (fault instanceof Fault.Close close) {
        event(events, close.afterMessage())[0] |= CLOSE;
      } // a HandshakeVersion is the handshake's, not a message's
    }
    this.randomDropBelow = randomBelow;
    long[][] merged = merge(drops);
    this.dropFrom = Arrays.stream(merged).mapToLong(range -> range[0]).toArray();
    this.dropTo = Arrays.stream(merged).mapToLong(range -> range[1]).toArray();
    this.eventAt = events.keySet().stream().mapToLong(Long::longValue).toArray();
    this.eventFaults = events.values().stream().mapToInt(event -> (int) event[0]).toArray();
    this.eventStallNanos = events.values().stream().mapToLong(event -> event[1]).toArray();
  }

  /**
   * What to do with record {@code number}: its 1-based position in the file. Every record is
   * decided, once, in file order, until {@link Action#STOP} or the end of the file.
   *
   * @param record the packet, between position and limit; not changed
   */
  public Action decide(long number, ByteBuffer record) {
    faultsHere = 0;
    if (number > to) {
      return Action.STOP;
    }
    while (eventCursor < eventAt.length && eventAt[eventCursor] <= number) {
      if (eventAt[eventCursor] == number) {
        faultsHere = eventFaults[eventCursor];
        pendingStallNanos = saturatedAdd(pendingStallNanos, eventStallNanos[eventCursor]);
      }
      eventCursor++;
    }
    if (!selects(number, record)) {
      return Action.SKIP;
    }
    selected++;
    if (isDropped(number)) {
      dropped++;
      return Action.DROP;
    }
    int packetFaults = faultsHere & PACKET_FAULTS;
    if (packetFaults == 0 && (dropped == 0 || record.remaining() < MessageHeader.SIZE)) {
      return Action.SEND;
    }
    alter(record, packetFaults);
    if (packetFaults != 0) {
      altered++;
    }
    return Action.SEND_ALTERED;
  }

  /** Whether record {@code number} is in the selection (its position and type); changes nothing. */
  public boolean selects(long number, ByteBuffer record) {
    if (number < from || number > to) {
      return false;
    }
    if (types == null) {
      return true;
    }
    int type = record.remaining() >= 4 ? MessageHeader.messageType(record, record.position()) : 0;
    return (types[type >>> 6] & (1L << type)) != 0;
  }

  /** The packet to send after {@link Action#SEND_ALTERED}, between position and limit; valid until the next decision. */
  public ByteBuffer alteredPacket() {
    return scratch;
  }

  /** Whether the connection is to be closed after the record just decided (a {@code close} fault there). */
  public boolean closesAfter() {
    return (faultsHere & CLOSE) != 0;
  }

  /**
   * Waits until the record just decided is due: after any stall before it, and on the pacing's
   * schedule. Call it just before sending; the first call starts the schedule.
   *
   * @param record the record as read (its time paces a {@link Pacing.Speed} replay)
   */
  public void awaitTurn(ByteBuffer record) throws InterruptedIOException {
    long stall = pendingStallNanos;
    pendingStallNanos = 0;
    if (!started) {
      started = true;
      startNanos = clock.nanoTime();
    }
    long due;
    if (pacing instanceof Pacing.AsFastAsPossible) {
      if (stall == 0) {
        return;
      }
      due = saturatedAdd(clock.nanoTime(), stall);
    } else {
      stallTotalNanos = saturatedAdd(stallTotalNanos, stall);
      due = saturatedAdd(saturatedAdd(startNanos, scheduledOffset(record)), stallTotalNanos);
    }
    if (due - clock.nanoTime() > 0) {
      clock.parkUntil(due);
    }
  }

  /**
   * Whether {@link #awaitTurn} may wait before the record just decided: a stall is due before it,
   * or the replay is paced. A sender may hand records for which this is false to the socket
   * together, in one call; one for which it is true must go alone, after what came before it.
   */
  public boolean mayWait() {
    return pendingStallNanos != 0 || !(pacing instanceof Pacing.AsFastAsPossible);
  }

  /** Messages selected so far (sent, altered or dropped). */
  public long messagesSelected() {
    return selected;
  }

  /** Messages dropped by faults so far. */
  public long messagesDropped() {
    return dropped;
  }

  /** Messages whose bytes a fault changed so far ({@code dropped_count} rewrites after a drop not counted). */
  public long messagesAltered() {
    return altered;
  }

  /** Whether this replay paces by the messages' times, which the trace must then have. */
  public boolean pacesByTime() {
    return pacing instanceof Pacing.Speed;
  }

  /**
   * The payload's {@code context_data.time_ns}, or empty when the packet carries none (the
   * session did not ask for the {@code time} context field, or the packet is malformed).
   */
  public static OptionalLong timeNs(ByteBuffer record) {
    try {
      return TraceMessage.wrap(record, 1).timeNs();
    } catch (MalformedMessageException e) {
      return OptionalLong.empty();
    }
  }

  /** The record's due time from the start of the schedule, before stalls. */
  private long scheduledOffset(ByteBuffer record) {
    if (pacing instanceof Pacing.Rate rate) {
      return nanos(paced++ * 1e9 / rate.messagesPerSecond());
    }
    OptionalLong time = timeNs(record);
    if (time.isPresent()) {
      long t = time.getAsLong();
      if (firstTime == NO_TIME) {
        firstTime = t;
        latestTime = t;
      } else if (t > latestTime) {
        latestTime = t;
      }
    }
    if (firstTime == NO_TIME) {
      return 0;
    }
    return nanos((latestTime - firstTime) / ((Pacing.Speed) pacing).factor());
  }

  private boolean isDropped(long number) {
    while (dropCursor < dropTo.length && dropTo[dropCursor] < number) {
      dropCursor++;
    }
    if (dropCursor < dropFrom.length && dropFrom[dropCursor] <= number) {
      return true;
    }
    return randomDropBelow != 0 && (mix(seed, number) >>> 11) < randomDropBelow;
  }

  /**
   * Copies the record into the scratch buffer and alters it: the running {@code dropped_count}
   * first, then the faults in {@link Fault}'s order.
   */
  private void alter(ByteBuffer record, int faults) {
    int length = record.remaining();
    int needed = Math.max(length + 1, 4);
    if ((faults & OVERSIZE) != 0) {
      needed = Math.max(needed, Fault.OVERSIZE_BYTES);
    }
    if (scratch == null || scratch.capacity() < needed) {
      scratch = ByteBuffer.allocateDirect(Math.max(needed, scratch == null ? 64 * 1024 : 2 * scratch.capacity()))
          .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer out = scratch.clear();
    out.put(0, record, record.position(), length);
    int size = length;
    if (dropped != 0 && size >= MessageHeader.SIZE) {
      long count = MessageHeader.droppedCount(out, 0) + dropped;
      out.putInt(4, (int) count); // the low 32 bits: runsc's counter wraps at 2^32
    }
    if ((faults & UNKNOWN_TYPE) != 0) {
      size = zeroPad(out, size, 4);
      out.putShort(2, (short) Fault.UNKNOWN_TYPE);
    }
    if ((faults & CORRUPT) != 0) {
      int payload = size >= 2 ? Math.min(MessageHeader.headerSize(out, 0), size) : size;
      if (payload == size) {
        out.put(size++, (byte) 0xFF);
      }
      for (int i = payload; i < size; i++) {
        out.put(i, (byte) 0xFF);
      }
    }
    if ((faults & OVERSIZE) != 0) {
      size = zeroPad(out, size, Fault.OVERSIZE_BYTES);
    }
    if ((faults & BAD_HEADER) != 0) {
      size = Math.min(zeroPad(out, size, 2), 0xFFFE);
      out.putShort(0, (short) (size + 1));
    }
    if ((faults & SHORT) != 0) {
      size = Math.min(size, Fault.SHORT_PACKET_BYTES);
    }
    out.limit(size);
  }

  /** Pads with zeros to {@code size} bytes if shorter; returns the new size. */
  private static int zeroPad(ByteBuffer out, int size, int atLeast) {
    for (int i = size; i < atLeast; i++) {
      out.put(i, (byte) 0);
    }
    return Math.max(size, atLeast);
  }

  /** SplitMix64's output for the position: one uniform 64-bit draw per message, from the seed alone. */
  static long mix(long seed, long number) {
    long z = seed + number * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static long[] bits(ReplayShape shape) {
    long[] bits = new long[1 << 10];
    for (int type : shape.types()) {
      bits[type >>> 6] |= 1L << type;
    }
    return bits;
  }

  private static int bit(Fault.Alteration.Kind kind) {
    return 1 << kind.ordinal();
  }

  private static long[] event(TreeMap<Long, long[]> events, long position) {
    return events.computeIfAbsent(position, p -> new long[2]);
  }

  /** The drop ranges sorted, overlapping and adjacent ones merged. */
  private static long[][] merge(List<long[]> ranges) {
    ranges.sort((a, b) -> Long.compare(a[0], b[0]));
    List<long[]> merged = new ArrayList<>();
    for (long[] range : ranges) {
      long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && range[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], range[1]);
      } else {
        merged.add(range.clone());
      }
    }
    return merged.toArray(long[][]::new);
  }

  private static long nanos(double value) {
    return value >= Long.MAX_VALUE / 4.0 ? Long.MAX_VALUE / 4 : (long) value;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE / 4 : sum;
  }
}
