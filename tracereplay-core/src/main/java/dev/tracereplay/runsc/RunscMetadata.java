package dev.tracereplay.runsc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a runsc binary can trace, as its {@code runsc trace metadata} lists it: the trace points, and
 * for each the optional fields and context fields a trace session may ask for. Obtained with
 * {@link Runsc#metadata()} (which runs runsc once per binary and keeps the answer), or parsed from
 * that command's output with {@link #parse(String)}. Immutable.
 */
public final class RunscMetadata {
  /** The most output of {@code runsc trace metadata} read (runsc 20221219 prints about 200 KB). */
  static final int MAX_OUTPUT_BYTES = 4 << 20;

  private static final Pattern POINT = Pattern.compile(
      "Name: ([^,\\s]+), optional fields: \\[([^\\]]*)\\], context fields: \\[([^\\]]*)\\]");
  private static final Pattern SECTION = Pattern.compile("[A-Z][A-Z ]* \\(\\d+\\)");

  /**
   * One trace point.
   *
   * @param name the point's name, e.g. {@code syscall/openat/enter}
   * @param optionalFields the optional fields it can add, e.g. {@code fd_path}
   * @param contextFields the context fields it can add, e.g. {@code time}, {@code process_name}
   */
  public record Point(String name, List<String> optionalFields, List<String> contextFields) {
    /** Copies the lists. */
    public Point {
      Objects.requireNonNull(name, "name");
      optionalFields = List.copyOf(optionalFields);
      contextFields = List.copyOf(contextFields);
    }
  }

  private final Map<String, Point> points;

  private RunscMetadata(Map<String, Point> points) {
    this.points = Collections.unmodifiableMap(points);
  }

  /**
   * Reads the output of {@code runsc trace metadata}: a {@code POINTS (N)} line, then one line a point,
   * {@code Name: syscall/openat/enter, optional fields: [fd_path], context fields: [time|thread_id|...]},
   * then the sinks, which are ignored.
   *
   * @throws IllegalArgumentException when the text lists no trace point, or fewer than it announces
   */
  public static RunscMetadata parse(String output) {
    Map<String, Point> points = new LinkedHashMap<>();
    int announced = -1;
    boolean inPoints = false;
    for (String line : output.split("\\R")) {
      String text = line.strip();
      if (text.startsWith("POINTS (") && text.endsWith(")")) {
        announced = parseCount(text.substring("POINTS (".length(), text.length() - 1));
        inPoints = true;
      } else if (SECTION.matcher(text).matches()) {
        inPoints = false; // SINKS (2), whose lines are also "Name: ..."
      } else if (inPoints && text.startsWith("Name: ")) {
        Matcher m = POINT.matcher(text);
        if (!m.matches()) {
          throw new IllegalArgumentException("runsc trace metadata: cannot read the line '" + text + "'");
        }
        points.put(m.group(1), new Point(m.group(1), names(m.group(2)), names(m.group(3))));
      }
    }
    if (points.isEmpty()) {
      String start = output.strip();
      throw new IllegalArgumentException("runsc trace metadata listed no trace points; it printed: '"
          + (start.length() > 200 ? start.substring(0, 200) + "..." : start) + "'");
    }
    if (announced >= 0 && announced != points.size()) {
      throw new IllegalArgumentException("runsc trace metadata announced " + announced + " trace points but listed "
          + points.size());
    }
    return new RunscMetadata(points);
  }

  private static int parseCount(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("runsc trace metadata: cannot read the point count in 'POINTS (" + text + ")'");
    }
  }

  private static List<String> names(String list) {
    return Arrays.stream(list.split("\\|")).map(String::strip).filter(name -> !name.isEmpty()).toList();
  }

  /** Every trace point, in runsc's order. */
  public List<Point> points() {
    return List.copyOf(points.values());
  }

  /** The point called {@code name}, if runsc offers it. */
  public Optional<Point> point(String name) {
    return Optional.ofNullable(points.get(name));
  }

  /** The names of every point, in runsc's order. */
  public List<String> pointNames() {
    return new ArrayList<>(points.keySet());
  }

  /** Every context field at least one point offers, in the order runsc first lists them. */
  public List<String> contextFields() {
    Set<String> fields = new LinkedHashSet<>();
    points.values().forEach(point -> fields.addAll(point.contextFields()));
    return List.copyOf(fields);
  }

  @Override
  public String toString() {
    return "RunscMetadata[" + points.size() + " trace points]";
  }
}
