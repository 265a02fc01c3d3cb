package dev.tracereplay.replay;

import java.util.regex.Pattern;

/** Whole numbers as the replay's spellings write them: digits only, no sign. */
final class Numbers {
  private static final Pattern DIGITS = Pattern.compile("\\d{1,19}");

  private Numbers() {}

  /** {@code text} as a number; {@code what} names it in the error ("a message number"). */
  static long parse(String text, String what) {
    if (!DIGITS.matcher(text).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not " + what + " (a whole number)");
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large for " + what);
    }
  }
}
