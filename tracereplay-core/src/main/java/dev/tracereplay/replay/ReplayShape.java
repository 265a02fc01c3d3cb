package dev.tracereplay.replay;

import dev.tracereplay.points.TracePoints;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * How to replay a recording: which messages ({@link #types()}, {@link #messages()}), with which
 * {@link Fault}s, at which {@link Pacing}, from which random {@link #seed()}. The one model
 * behind {@link dev.tracereplay.TraceReplayer}'s {@code with…} settings, the command line's
 * {@code replay} and {@code filter} options and {@code @ReplayTrace}'s attributes, so that the
 * same spec means the same bytes everywhere; {@link #parse} reads their spellings.
 *
 * <p>Message numbers are 1-based positions in the file, whatever is selected or dropped.
 * Selection chooses what is replayed, byte for byte; leaving a message out is not a drop (no
 * header changes). Faults then apply to the selected messages (see {@link Fault}). Immutable and
 * thread-safe; each replay keeps its own state (in the library's internals).
 *
 * @param faults the faults, in the order given (their effect does not depend on it)
 * @param types the header type numbers selected; empty for every type
 * @param messages the positions selected
 * @param pacing how fast to send
 * @param seed the seed of {@link Fault.RandomDrop}'s draws: the same seed drops the same messages
 */
public record ReplayShape(List<Fault> faults, Set<Integer> types, MessageRange messages, Pacing pacing, long seed) {

  /** The seed when none is given. */
  public static final long DEFAULT_SEED = 0;

  /** The recording as it is, as fast as the sink takes it. */
  public static final ReplayShape AS_RECORDED =
      new ReplayShape(List.of(), Set.of(), MessageRange.ALL, Pacing.AS_FAST_AS_POSSIBLE, DEFAULT_SEED);

  /** The grammar of a type in {@link #parse}, for error messages. */
  public static final String TYPE_GRAMMAR = "a payload name (open, read, start, cloneinfo), a MessageType name"
      + " (SYSCALL_OPEN) or a header number (7, or any number to 65535 for types from a newer runsc)";

  /**
   * Checks that the settings go together.
   *
   * @throws ShapeException when two faults contradict each other: two {@code drop~P%}, two
   *     {@code handshake-version=V}, or {@code bad-header@N} with {@code oversize@N} (a 16-bit
   *     {@code header_size} cannot point beyond a 1 MiB packet)
   */
  public ReplayShape {
    faults = List.copyOf(faults);
    types = Collections.unmodifiableSet(new TreeSet<>(types));
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(pacing, "pacing");
    for (int type : types) {
      if (type < 0 || type > 0xFFFF) {
        throw new ShapeException(ShapeException.Part.TYPES, Integer.toString(type),
            "a message type is a number from 0 to 65535, was " + type);
      }
    }
    requireAtMostOne(faults, Fault.RandomDrop.class, "drop~P%");
    requireAtMostOne(faults, Fault.HandshakeVersion.class, "handshake-version=V");
    for (Fault fault : faults) {
      if (fault instanceof Fault.Alteration bad && bad.kind() == Fault.Alteration.Kind.BAD_HEADER
          && faults.contains(Fault.oversize(bad.message()))) {
        throw new ShapeException(ShapeException.Part.FAULTS, bad.toString(), "bad-header@" + bad.message()
            + " and oversize@" + bad.message() + " cannot be combined: header_size has 16 bits and cannot point"
            + " beyond a packet of 1 MiB");
      }
    }
  }

  /**
   * The shape the front doors' spellings describe: the command line's {@code --fault},
   * {@code --types}, {@code --messages}, {@code --speed}, {@code --rate} and {@code --seed}, or
   * {@code @ReplayTrace}'s attributes of the same names.
   *
   * @param faults each a {@link Fault#parse} spelling
   * @param types each a type ({@link #TYPE_GRAMMAR}) or a comma-separated list of them
   * @param messages a {@link MessageRange#parse} spelling; {@code null} or blank for every message
   * @param speed the {@link Pacing.Speed} factor; {@code null} for none
   * @param rate the {@link Pacing.Rate} in messages a second; {@code null} for none
   * @param seed the random drops' seed
   * @throws ShapeException naming the spec that is wrong, what is wrong with it and its grammar
   */
  public static ReplayShape parse(List<String> faults, List<String> types, String messages, Double speed,
      Double rate, long seed) {
    List<Fault> parsedFaults = faults.stream().map(Fault::parse).toList();
    MessageRange range = messages == null || messages.isBlank() ? MessageRange.ALL : MessageRange.parse(messages);
    return new ReplayShape(parsedFaults, parseTypes(types), range, pacing(speed, rate), seed);
  }

  /**
   * The header type numbers of {@code names}, each a type ({@link #TYPE_GRAMMAR}) or a
   * comma-separated list of them.
   *
   * @throws ShapeException naming the first name that is no type
   */
  public static Set<Integer> parseTypes(Collection<String> names) {
    Set<Integer> numbers = new TreeSet<>();
    for (String list : names) {
      for (String name : list.split(",", -1)) {
        String type = name.strip();
        if (type.isEmpty()) {
          throw new ShapeException(ShapeException.Part.TYPES, list, "'" + list.strip() + "' names an empty type;"
              + " a type is " + TYPE_GRAMMAR);
        }
        numbers.add(typeNumber(type));
      }
    }
    return numbers;
  }

  private static int typeNumber(String type) {
    if (type.chars().allMatch(Character::isDigit)) {
      long number;
      try {
        number = Numbers.parse(type, "a message type");
      } catch (IllegalArgumentException e) {
        number = -1;
      }
      if (number < 0 || number > 0xFFFF) {
        throw new ShapeException(ShapeException.Part.TYPES, type, "'" + type + "' is not a message type: header"
            + " type numbers go from 0 to 65535");
      }
      return (int) number;
    }
    try {
      return TracePoints.parseType(type).number();
    } catch (IllegalArgumentException e) {
      throw new ShapeException(ShapeException.Part.TYPES, type, "'" + type + "' is not a message type: a type is "
          + TYPE_GRAMMAR);
    }
  }

  private static Pacing pacing(Double speed, Double rate) {
    if (speed != null && rate != null) {
      throw new ShapeException(ShapeException.Part.SPEED, speed + " and " + rate, "speed and rate exclude each other:"
          + " speed follows the recorded pace (times " + speed + "), rate sends a fixed number of messages a second"
          + " (" + rate + "); give one of them");
    }
    try {
      return speed != null ? Pacing.speed(speed) : rate != null ? Pacing.rate(rate) : Pacing.AS_FAST_AS_POSSIBLE;
    } catch (IllegalArgumentException e) {
      boolean isSpeed = speed != null;
      throw new ShapeException(isSpeed ? ShapeException.Part.SPEED : ShapeException.Part.RATE,
          String.valueOf(isSpeed ? speed : rate), e.getMessage() + (isSpeed
              ? " (a multiple of the recorded pace: 1 is real time, 2 twice as fast)"
              : " (messages a second)"));
    }
  }

  private static void requireAtMostOne(List<Fault> faults, Class<? extends Fault> kind, String spelling) {
    List<String> found = faults.stream().filter(kind::isInstance).map(Fault::toString).toList();
    if (found.size() > 1) {
      throw new ShapeException(ShapeException.Part.FAULTS, found.get(1), "only one " + spelling + " fault may be"
          + " given, found " + String.join(" and ", found));
    }
  }

  /** This shape with these faults instead of its own. */
  public ReplayShape withFaults(List<Fault> faults) {
    return new ReplayShape(faults, types, messages, pacing, seed);
  }

  /** This shape selecting these header type numbers (none: every type). */
  public ReplayShape withTypes(Set<Integer> types) {
    return new ReplayShape(faults, types, messages, pacing, seed);
  }

  /** This shape selecting these positions. */
  public ReplayShape withMessages(MessageRange messages) {
    return new ReplayShape(faults, types, messages, pacing, seed);
  }

  /** This shape at this pace. */
  public ReplayShape withPacing(Pacing pacing) {
    return new ReplayShape(faults, types, messages, pacing, seed);
  }

  /** This shape drawing its random drops from {@code seed}. */
  public ReplayShape withSeed(long seed) {
    return new ReplayShape(faults, types, messages, pacing, seed);
  }

  /** Whether this shape replays the recording as it is: no selection, no faults, no pacing. */
  public boolean isAsRecorded() {
    return faults.isEmpty() && types.isEmpty() && messages.isAll() && pacing instanceof Pacing.AsFastAsPossible;
  }

  /** The version to announce in the handshake: the {@code handshake-version} fault's, else {@code fileVersion}. */
  public int handshakeVersion(int fileVersion) {
    return faults.stream().filter(Fault.HandshakeVersion.class::isInstance)
        .mapToInt(fault -> (int) ((Fault.HandshakeVersion) fault).version()).findFirst().orElse(fileVersion);
  }

  /** Whether a fault changes the bytes of a packet (rather than dropping, pausing or closing). */
  public boolean altersPackets() {
    return faults.stream().anyMatch(Fault.Alteration.class::isInstance);
  }

  /** The shape in the spellings {@link #parse} reads, e.g. {@code [drop@2-3, close@10], types [7], messages 1-}. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    if (!faults.isEmpty()) {
      parts.add("faults " + faults);
    }
    if (!types.isEmpty()) {
      parts.add("types " + types.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
    if (!messages.isAll()) {
      parts.add("messages " + messages);
    }
    if (!(pacing instanceof Pacing.AsFastAsPossible)) {
      parts.add(pacing.toString());
    }
    if (faults.stream().anyMatch(Fault.RandomDrop.class::isInstance)) {
      parts.add("seed " + seed);
    }
    return parts.isEmpty() ? "as recorded" : String.join(", ", parts);
  }
}
