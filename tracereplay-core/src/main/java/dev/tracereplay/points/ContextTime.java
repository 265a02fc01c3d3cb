package dev.tracereplay.points;

import java.nio.ByteBuffer;

/**
 * Reads {@code context_data.time_ns} straight from a payload's protobuf bytes: field 1 of every
 * point message is {@code ContextData}, whose field 1 is {@code time_ns}. Walking the tags costs a
 * fraction of decoding the message, which matters to stats over large recordings.
 *
 * <p>Follows protobuf's merge rules (a repeated embedded message merges, the last scalar wins) and
 * gives up quietly on bytes that are not protobuf: the caller only wants the time when there is one.
 * Thread-safe: each call has a cursor of its own.
 */
final class ContextTime {
  /** What {@link #timeNs} returns when the payload carries no time. */
  static final long NONE = 0;

  private static final int VARINT = 0;
  private static final int I64 = 1;
  private static final int LEN = 2;
  private static final int I32 = 5;

  private final ByteBuffer buffer;
  private int at;

  private ContextTime(ByteBuffer buffer, int at) {
    this.buffer = buffer;
    this.at = at;
  }

  /**
   * The {@code time_ns} of the payload between {@code from} and {@code to} in {@code buffer}
   * (absolute indexes; the buffer is not changed), or {@link #NONE} when it is absent (the session
   * did not ask for the {@code time} context field), zero, or the payload is not readable.
   */
  static long timeNs(ByteBuffer buffer, int from, int to) {
    try {
      return new ContextTime(buffer, from).lastField1(to, true);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return NONE;
    }
  }

  /**
   * The value of the last field 1 between the cursor and {@code to}: in a point message
   * ({@code outer}) the time inside each embedded {@code ContextData}; in a {@code ContextData} the
   * {@code time_ns} varint.
   */
  private long lastField1(int to, boolean outer) {
    long time = NONE;
    while (at < to) {
      long tag = varint(to);
      int wireType = (int) (tag & 7);
      if (tag >>> 3 == 1 && outer && wireType == LEN) {
        int end = lengthDelimitedEnd(to);
        long inner = lastField1(end, false);
        if (inner != NONE) {
          time = inner;
        }
      } else if (tag >>> 3 == 1 && !outer && wireType == VARINT) {
        time = varint(to);
      } else {
        skip(to, wireType);
      }
    }
    if (at != to) {
      throw new IllegalArgumentException("field runs past its message");
    }
    return time;
  }

  private void skip(int to, int wireType) {
    switch (wireType) {
      case VARINT -> varint(to);
      case I64 -> at = within(at + 8L, to);
      case I32 -> at = within(at + 4L, to);
      case LEN -> at = lengthDelimitedEnd(to);
      default -> throw new IllegalArgumentException("wire type " + wireType + " not expected");
    }
  }

  /** Reads a length and returns where the field it prefixes ends (the cursor is at its start). */
  private int lengthDelimitedEnd(int to) {
    long length = varint(to);
    return within(at + length, to);
  }

  private static int within(long end, int to) {
    if (end > to || end < 0) {
      throw new IllegalArgumentException("field runs past the end");
    }
    return (int) end;
  }

  private long varint(int to) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at >= to) {
        throw new IllegalArgumentException("varint runs past the end");
      }
      byte b = buffer.get(at++);
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }
}
