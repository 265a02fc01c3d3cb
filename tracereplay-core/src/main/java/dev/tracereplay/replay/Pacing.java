package dev.tracereplay.replay;

/**
 * How fast a replay sends: as fast as the sink takes it (the default, as runsc under load), at a
 * multiple of the recorded pace, or at a fixed rate. Sends are scheduled against deadlines from
 * the start of the replay, so the pace does not drift however long the replay runs, and a sink
 * slower than the pace is sent to as fast as it reads until the schedule is caught up.
 */
public sealed interface Pacing {

  /** No pacing: each message as soon as the socket takes it. */
  Pacing AS_FAST_AS_POSSIBLE = new AsFastAsPossible();

  /** See {@link #AS_FAST_AS_POSSIBLE}. */
  record AsFastAsPossible() implements Pacing {
    @Override
    public String toString() {
      return "as fast as possible";
    }
  }

  /**
   * The recorded pace times {@code factor}, from each message's {@code context_data.time_ns}
   * (present when the trace session asked for the {@code time} context field): message N is due
   * {@code (time(N) - time(first timed message)) / factor} after the first one. A message without
   * a time is due when the message before it was; a time earlier than one already seen (threads
   * of a sandbox race) is due at once, never earlier than the one before it.
   */
  record Speed(double factor) implements Pacing {
    public Speed {
      requirePositive(factor, "speed");
    }

    @Override
    public String toString() {
      return "speed " + factor;
    }
  }

  /** {@code messagesPerSecond} messages a second, evenly: message k (from 0) is due k / rate s after the first. */
  record Rate(double messagesPerSecond) implements Pacing {
    public Rate {
      requirePositive(messagesPerSecond, "rate");
    }

    @Override
    public String toString() {
      return "rate " + messagesPerSecond + "/s";
    }
  }

  /** {@link Speed} times {@code factor} of the recorded pace. */
  static Pacing speed(double factor) {
    return new Speed(factor);
  }

  /** {@link Rate}: {@code messagesPerSecond} a second. */
  static Pacing rate(double messagesPerSecond) {
    return new Rate(messagesPerSecond);
  }

  private static void requirePositive(double value, String name) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a number above 0, was " + value);
    }
  }
}
