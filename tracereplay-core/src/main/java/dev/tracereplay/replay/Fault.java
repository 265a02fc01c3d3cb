package dev.tracereplay.replay;

import dev.tracereplay.internal.text.DurationSpec;
import java.time.Duration;

/**
 * One deliberate misbehaviour of the replayed sandbox, as a sink must survive it: points dropped
 * under load, a malformed or unknown point from a compromised sandbox, a pause, a sandbox that
 * dies mid-stream, a handshake of another version. Faults are deterministic (the random drop
 * draws from a seed) and several may be combined; see {@link ReplayShape}.
 *
 * <p>{@code N} is always the 1-based position of a message <em>in the trace file</em>, whatever
 * is selected or dropped. A fault that changes bytes applies to the packet as it would otherwise
 * be sent, i.e. after the {@code dropped_count} of earlier drops has been added to its header.
 * Each fault has a factory and a spelling, the one {@link #parse} reads and {@code toString()}
 * writes (the command line's {@code --fault} and {@code @ReplayTrace(faults = ...)} take it):
 *
 * <table>
 *   <caption>Faults</caption>
 *   <tr><th>spelling</th><th>factory</th><th>what is sent</th></tr>
 *   <tr><td>{@code drop@N}, {@code drop@N-M}</td><td>{@link #drop(long)}, {@link #drop(long, long)}</td>
 *       <td>nothing for those messages; every later header's {@code dropped_count} grows by the
 *       number dropped so far (runsc's running total, wrapping at 2^32)</td></tr>
 *   <tr><td>{@code drop~P%}</td><td>{@link #dropRandomly(double)}</td><td>each selected message dropped
 *       with probability P percent, drawn from the seed, counted as above</td></tr>
 *   <tr><td>{@code corrupt@N}</td><td>{@link #corrupt(long)}</td><td>the header kept, every payload
 *       byte set to 0xFF (an unterminated varint: no protobuf message parses; an empty payload
 *       becomes one such byte)</td></tr>
 *   <tr><td>{@code short@N}</td><td>{@link #shortPacket(long)}</td><td>only the packet's first
 *       {@value #SHORT_PACKET_BYTES} bytes</td></tr>
 *   <tr><td>{@code bad-header@N}</td><td>{@link #badHeader(long)}</td><td>{@code header_size} set to
 *       the packet's length + 1 (a packet of 65,535 bytes or more is cut to 65,534 bytes, as the
 *       field has 16 bits)</td></tr>
 *   <tr><td>{@code unknown-type@N}</td><td>{@link #unknownType(long)}</td><td>{@code message_type}
 *       set to {@value #UNKNOWN_TYPE}</td></tr>
 *   <tr><td>{@code oversize@N}</td><td>{@link #oversize(long)}</td><td>the packet padded with zeros
 *       to {@value #OVERSIZE_BYTES} bytes (1 MiB + 1, one more than gVisor's receivers take)</td></tr>
 *   <tr><td>{@code stall@N:DURATION}</td><td>{@link #stall(long, Duration)}</td><td>a pause before
 *       message N (a paused sandbox); DURATION is a whole number with ms, s, m or h
 *       ({@code 500ms}, {@code 2s}), seconds without one, at most {@link #MAX_STALL} (1 h)</td></tr>
 *   <tr><td>{@code close@N}</td><td>{@link #closeAfter(long)}</td><td>the connection closed right
 *       after message N (the sandbox died): nothing after it</td></tr>
 *   <tr><td>{@code handshake-version=V}</td><td>{@link #handshakeVersion(long)}</td><td>version V in
 *       the handshake instead of the file's</td></tr>
 * </table>
 *
 * <p>Bounds: {@code N} is at most {@link Long#MAX_VALUE}, a stall at most {@link #MAX_STALL} (a
 * longer pause is a typing error, and a sink test waiting hours is no test); a spelling beyond
 * them is a {@link ShapeException} naming the token and the limit.
 *
 * <p>{@code stall} and {@code close} are moments in the file: a stall before a message that is
 * not sent (not selected, or dropped) pauses before the next message sent, and {@code close@N}
 * closes once position N is passed, whether message N itself was sent or not. Several
 * alterations of one packet apply in the order of {@link Alteration.Kind} ({@code unknown-type},
 * {@code corrupt}, {@code oversize}, {@code bad-header}, {@code short}), so {@code corrupt@3} with
 * {@code short@3} sends the first 5 bytes of the corrupted packet.
 */
public sealed interface Fault {

  /** {@code short@N} sends this many bytes of the packet. */
  int SHORT_PACKET_BYTES = 5;

  /** The {@code message_type} of {@code unknown-type@N}: a number no runsc uses. */
  int UNKNOWN_TYPE = 999;

  /** The size of the packet {@code oversize@N} sends: 1 MiB + 1. */
  int OVERSIZE_BYTES = (1 << 20) + 1;

  /** The longest pause a {@code stall} fault may make: 1 hour. */
  Duration MAX_STALL = Duration.ofHours(1);

  /** The grammar of {@link #parse}, for error messages. */
  String GRAMMAR = "drop@N, drop@N-M, drop~P%, corrupt@N, short@N, bad-header@N, unknown-type@N, oversize@N,"
      + " stall@N:DURATION (e.g. 500ms, 2s), close@N, handshake-version=V (N: a 1-based message number in"
      + " the file)";

  /**
   * Messages {@code from} to {@code to} (inclusive) are not sent; later headers count them.
   *
   * @param from the first message dropped, a 1-based position in the file
   * @param to the last message dropped, at least {@code from}
   */
  record Drop(long from, long to) implements Fault {
    public Drop {
      requireMessageNumber(from);
      requireMessageNumber(to);
      if (to < from) {
        throw new IllegalArgumentException("a drop range ends before it starts: " + from + "-" + to);
      }
    }

    @Override
    public String toString() {
      return from == to ? "drop@" + from : "drop@" + from + "-" + to;
    }
  }

  /**
   * Each selected message is dropped with probability {@code percent} / 100, drawn from the seed.
   *
   * @param percent the probability in percent, above 0 and at most 100
   */
  record RandomDrop(double percent) implements Fault {
    public RandomDrop {
      if (!(percent > 0 && percent <= 100)) {
        throw new IllegalArgumentException("a drop probability is a percentage above 0 and at most 100, was " + percent);
      }
    }

    @Override
    public String toString() {
      return "drop~" + (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent)) + "%";
    }
  }

  /**
   * Message {@code message}'s bytes changed in one way of {@link Kind}: {@code corrupt@N},
   * {@code short@N}, {@code bad-header@N}, {@code unknown-type@N} or {@code oversize@N}.
   *
   * @param kind how the packet is changed
   * @param message the message changed, a 1-based position in the file
   */
  record Alteration(Kind kind, long message) implements Fault {
    /** The ways of altering a packet, in the order they apply to one packet. */
    public enum Kind {
      /** {@code unknown-type@N}: {@code message_type} set to {@value Fault#UNKNOWN_TYPE}. */
      UNKNOWN_TYPE("unknown-type"),
      /** {@code corrupt@N}: every payload byte 0xFF, so that it parses as nothing. */
      CORRUPT("corrupt"),
      /** {@code oversize@N}: padded with zeros to {@value Fault#OVERSIZE_BYTES} bytes. */
      OVERSIZE("oversize"),
      /** {@code bad-header@N}: {@code header_size} beyond the packet's end. */
      BAD_HEADER("bad-header"),
      /** {@code short@N}: only the first {@value Fault#SHORT_PACKET_BYTES} bytes. */
      SHORT("short");

      private final String spelling;

      Kind(String spelling) {
        this.spelling = spelling;
      }

      /** The name in the fault's spelling, e.g. {@code bad-header}. */
      public String spelling() {
        return spelling;
      }
    }

    public Alteration {
      java.util.Objects.requireNonNull(kind, "kind");
      requireMessageNumber(message);
    }

    @Override
    public String toString() {
      return kind.spelling + "@" + message;
    }
  }

  /**
   * A pause of {@code pause} before message {@code message}.
   *
   * @param message the message the pause comes before, a 1-based position in the file (when it is
   *     not sent, the pause comes before the next message sent)
   * @param pause how long, from zero to {@link #MAX_STALL}
   */
  record Stall(long message, Duration pause) implements Fault {
    public Stall {
      requireMessageNumber(message);
      if (pause.isNegative()) {
        throw new IllegalArgumentException("a stall cannot be negative, was " + pause);
      }
      if (pause.compareTo(MAX_STALL) > 0) {
        throw new IllegalArgumentException("a stall is at most " + DurationSpec.format(MAX_STALL) + ", was " + pause);
      }
    }

    @Override
    public String toString() {
      return "stall@" + message + ":" + DurationSpec.format(pause);
    }
  }

  /**
   * The connection is closed right after message {@code afterMessage}; nothing after it is sent.
   *
   * @param afterMessage the position in the file after which the connection is closed (whether
   *     that message itself was sent or not)
   */
  record Close(long afterMessage) implements Fault {
    public Close {
      requireMessageNumber(afterMessage);
    }

    @Override
    public String toString() {
      return "close@" + afterMessage;
    }
  }

  /**
   * The handshake announces {@code version} (unsigned 32-bit) instead of the file's version.
   *
   * @param version the version sent, 0 to 4294967295 (0 is sent as an empty packet, as proto3 encodes it)
   */
  record HandshakeVersion(long version) implements Fault {
    public HandshakeVersion {
      if (version < 0 || version > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("a handshake version is 0 to 4294967295, was " + version);
      }
    }

    @Override
    public String toString() {
      return "handshake-version=" + version;
    }
  }

  /** {@code drop@N}. */
  static Fault drop(long message) {
    return new Drop(message, message);
  }

  /** {@code drop@N-M}. */
  static Fault drop(long from, long to) {
    return new Drop(from, to);
  }

  /** {@code drop~P%}: each selected message is dropped with probability {@code percent} / 100. */
  static Fault dropRandomly(double percent) {
    return new RandomDrop(percent);
  }

  /** {@code corrupt@N}. */
  static Fault corrupt(long message) {
    return new Alteration(Alteration.Kind.CORRUPT, message);
  }

  /** {@code short@N}. */
  static Fault shortPacket(long message) {
    return new Alteration(Alteration.Kind.SHORT, message);
  }

  /** {@code bad-header@N}. */
  static Fault badHeader(long message) {
    return new Alteration(Alteration.Kind.BAD_HEADER, message);
  }

  /** {@code unknown-type@N}. */
  static Fault unknownType(long message) {
    return new Alteration(Alteration.Kind.UNKNOWN_TYPE, message);
  }

  /** {@code oversize@N}. */
  static Fault oversize(long message) {
    return new Alteration(Alteration.Kind.OVERSIZE, message);
  }

  /** {@code stall@N:DURATION}. */
  static Fault stall(long message, Duration pause) {
    return new Stall(message, pause);
  }

  /** {@code close@N}. */
  static Fault closeAfter(long message) {
    return new Close(message);
  }

  /** {@code handshake-version=V}; V is unsigned 32-bit, and 0 is sent as an empty packet (proto3). */
  static Fault handshakeVersion(long version) {
    return new HandshakeVersion(version);
  }

  /**
   * The fault {@code spec} spells, e.g. {@code drop@2-3}, {@code stall@10:500ms} (see the table
   * above; letter case and surrounding spaces do not matter).
   *
   * @throws ShapeException naming the spec, what is wrong with it and the grammar
   */
  static Fault parse(String spec) {
    return FaultSyntax.parse(spec);
  }

  private static void requireMessageNumber(long number) {
    if (number < 1) {
      throw new IllegalArgumentException("message numbers start at 1 (the first message of the file), was " + number);
    }
  }
}
