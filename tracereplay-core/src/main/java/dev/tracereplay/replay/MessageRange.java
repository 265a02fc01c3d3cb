package dev.tracereplay.replay;

/**
 * The messages of a trace a replay selects, by their 1-based position in the file, both ends
 * included: {@code 10-20}, or {@code 10-} for message 10 to the end. Messages outside are left
 * out, which is not a drop: the headers of those sent stay as recorded.
 *
 * @param from the first message selected, from 1
 * @param to the last message selected; {@link Long#MAX_VALUE} for the end of the file
 */
public record MessageRange(long from, long to) {

  /** Every message. */
  public static final MessageRange ALL = new MessageRange(1, Long.MAX_VALUE);

  /** The grammar of {@link #parse}, for error messages. */
  public static final String GRAMMAR = "FROM-TO or FROM- (1-based message numbers in the file, both included)";

  public MessageRange {
    if (from < 1) {
      throw new IllegalArgumentException("message numbers start at 1 (the first message of the file), was " + from);
    }
    if (to < from) {
      throw new IllegalArgumentException("a message range ends before it starts: " + from + "-" + to);
    }
  }

  /** Messages {@code from} to {@code to}, both included. */
  public static MessageRange of(long from, long to) {
    return new MessageRange(from, to);
  }

  /** Message {@code from} to the end of the file. */
  public static MessageRange startingAt(long from) {
    return new MessageRange(from, Long.MAX_VALUE);
  }

  /**
   * The range {@code spec} spells: {@code FROM-TO} or {@code FROM-}.
   *
   * @throws ShapeException naming the spec and the grammar
   */
  public static MessageRange parse(String spec) {
    String text = spec.strip();
    int dash = text.indexOf('-');
    try {
      if (dash < 0) {
        throw new IllegalArgumentException("the dash is missing (write " + text + "-" + text + " for one message)");
      }
      long from = Numbers.parse(text.substring(0, dash), "a message number");
      String end = text.substring(dash + 1);
      return end.isEmpty() ? startingAt(from) : of(from, Numbers.parse(end, "a message number"));
    } catch (IllegalArgumentException e) {
      throw new ShapeException(ShapeException.Part.MESSAGES, spec,
          "'" + text + "' is not a message range: " + e.getMessage() + ". Use " + GRAMMAR);
    }
  }

  /** Whether message {@code number} is in the range. */
  public boolean contains(long number) {
    return number >= from && number <= to;
  }

  /** Whether this is every message. */
  public boolean isAll() {
    return from == 1 && to == Long.MAX_VALUE;
  }

  /** The spelling {@link #parse} reads: {@code FROM-TO} or {@code FROM-}. */
  @Override
  public String toString() {
    return from + "-" + (to == Long.MAX_VALUE ? "" : Long.toString(to));
  }
}
