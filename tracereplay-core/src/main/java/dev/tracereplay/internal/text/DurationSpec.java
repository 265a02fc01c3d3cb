package dev.tracereplay.internal.text;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one spelling of a duration, for the command line's time options and a replay's stall
 * faults alike: a whole number with a unit {@code ms}, {@code s}, {@code m} or {@code h}; seconds
 * when there is none. Every reader gives its limit, which the error names.
 */
public final class DurationSpec {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");
  /** More digits than this are beyond any limit a caller has (and beyond a Duration's range in hours). */
  private static final int MAX_DIGITS = 12;

  private DurationSpec() {}

  /**
   * The duration {@code text} spells, at most {@code max}; {@code what} names it in the error
   * ("a stall").
   *
   * @throws IllegalArgumentException naming the text and the limit
   */
  public static Duration parse(String text, Duration max, String what) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: use e.g. 500ms, 2s, 1m or 1h");
    }
    String digits = m.group(1);
    Duration duration = digits.length() > MAX_DIGITS ? null : of(Long.parseLong(digits), m.group(2));
    if (duration == null || duration.compareTo(max) > 0) {
      throw new IllegalArgumentException("'" + text.strip() + "' is longer than " + what + " may be: at most "
          + format(max));
    }
    return duration;
  }

  private static Duration of(long amount, String unit) {
    return switch (unit == null ? "s" : unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }

  /** The shortest spelling {@link #parse} reads back as {@code duration} (at millisecond precision). */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0 || millis == 0) {
      return millis + "ms";
    }
    long seconds = millis / 1000;
    return seconds % 3600 == 0 ? seconds / 3600 + "h" : seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }
}
