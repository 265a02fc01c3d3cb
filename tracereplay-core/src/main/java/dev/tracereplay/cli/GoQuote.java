package dev.tracereplay.cli;

/**
 * Go's {@code %q} for strings ({@code strconv.Quote}), so that the lines {@code save} prints are
 * byte for byte those of gVisor's tool: double quotes; {@code "} and {@code \} backslashed;
 * {@code \a \b \f \n \r \t \v}; other control bytes as {@code \xNN}; printable Unicode as is; other
 * code points as backslash-u and four, or backslash-U and eight, lowercase hex digits.
 */
final class GoQuote {

  private GoQuote() {}

  /** The string as Go's {@code fmt.Sprintf("%q", s)} prints it. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ) {
      int codePoint = s.codePointAt(i);
      i += Character.charCount(codePoint);
      if (Character.isSurrogate((char) codePoint) && codePoint <= 0xFFFF) {
        // A lone surrogate: Go would be given its (invalid) 3-byte UTF-8 form and escape each byte.
        hex(out.append("\\x"), 0xE0 | codePoint >> 12, 2);
        hex(out.append("\\x"), 0x80 | (codePoint >> 6 & 0x3F), 2);
        hex(out.append("\\x"), 0x80 | (codePoint & 0x3F), 2);
        continue;
      }
      appendRune(out, codePoint);
    }
    return out.append('"').toString();
  }

  private static void appendRune(StringBuilder out, int r) {
    if (r == '"' || r == '\\') {
      out.append('\\').append((char) r);
      return;
    }
    if (isPrint(r)) {
      out.appendCodePoint(r);
      return;
    }
    switch (r) {
      case 0x07 -> out.append("\\a");
      case '\b' -> out.append("\\b");
      case '\f' -> out.append("\\f");
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      case 0x0B -> out.append("\\v");
      default -> {
        if (r < ' ' || r == 0x7F) {
          hex(out.append("\\x"), r, 2);
        } else if (r < 0x10000) {
          hex(out.append("\\u"), r, 4);
        } else {
          hex(out.append("\\U"), r, 8);
        }
      }
    }
  }

  /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  private static boolean isPrint(int r) {
    if (r < 0x80) {
      return r >= 0x20 && r < 0x7F;
    }
    return switch (Character.getType(r)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER,
          Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
          Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
          Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION,
          Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
      default -> false;
    };
  }

  private static void hex(StringBuilder out, int value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      out.append(Character.forDigit((value >> shift) & 0xF, 16));
    }
  }
}
