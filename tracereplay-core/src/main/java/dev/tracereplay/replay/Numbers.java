package dev.tracereplay.replay;

import java.util.regex.Pattern;

/** Whole numbers as the replay's spellings write them: digits only, no sign. */
final class Numbers {
  private static final Pattern DIGITS = Pattern.compile("\\d+");

  private Numbers() {}

  /**
   * {@code text} as a number from 0 to {@link Long#MAX_VALUE}; {@code what} names it in the error
   * ("a message number"). Any number of digits is read, so that a number too large is told as such
   * (naming the text and the limit), not as something that is no number.
   */
  static long parse(String text, String what) {
    if (!DIGITS.matcher(text).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not " + what + " (a whole number)");
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large for " + what + ": at most " + Long.MAX_VALUE);
    }
  }
}
