package dev.tracereplay.replay;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The spelling of a duration in a fault: a whole number with a unit {@code ms}, {@code s},
 * {@code m} or {@code h}; seconds when there is none (as the command line's time options).
 */
final class DurationSpec {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)?");

  private DurationSpec() {}

  static Duration parse(String text) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: use e.g. 500ms, 2s, 1m or 1h");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "s" : m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }

  /** The shortest spelling {@link #parse} reads back as {@code duration} (at millisecond precision). */
  static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0 || millis == 0) {
      return millis + "ms";
    }
    long seconds = millis / 1000;
    return seconds % 3600 == 0 ? seconds / 3600 + "h" : seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }
}
