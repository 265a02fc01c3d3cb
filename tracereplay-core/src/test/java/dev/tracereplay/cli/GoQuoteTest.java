package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values are what Go's fmt.Sprintf("%q", s) prints (strconv.Quote). */
class GoQuoteTest {

  @Test
  void quotesLikeGo() {
    assertThat(GoQuote.quote("/tmp/trace/client-0001")).isEqualTo("\"/tmp/trace/client-0001\"");
    assertThat(GoQuote.quote("")).isEqualTo("\"\"");
    assertThat(GoQuote.quote("a b")).isEqualTo("\"a b\"");
    assertThat(GoQuote.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(GoQuote.quote("x\ty\nz")).isEqualTo("\"x\\ty\\nz\"");
  }

  @ParameterizedTest(name = "U+{0}")
  @CsvSource({
      // control characters with a short escape
      "0007, \\a", "0008, \\b", "000C, \\f", "000A, \\n", "000D, \\r", "0009, \\t", "000B, \\v",
      // other controls and DEL as \xNN
      "0000, \\x00", "001B, \\x1b", "007F, \\x7f",
      // not printable by unicode.IsPrint: C1 controls, spaces other than U+0020, format, private use
      "0085, \\u0085", "00A0, \\u00a0", "00AD, \\u00ad", "200B, \\u200b", "2028, \\u2028", "E000, \\ue000",
      "FEFF, \\ufeff", "F0000, \\U000f0000", "10FFFF, \\U0010ffff",
      // printable: kept as is
      "00E9, é", "4E2D, 中", "1F600, 😀", "20AC, €", "0301, \u0301"})
  void escapesExactlyWhatGoEscapes(String hex, String expected) {
    String input = new String(Character.toChars(Integer.parseInt(hex, 16)));

    assertThat(GoQuote.quote(input)).isEqualTo("\"" + expected + "\"");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"D800, \\xed\\xa0\\x80", "DFFF, \\xed\\xbf\\xbf"})
  void escapesTheBytesOfALoneSurrogateAsGoEscapesInvalidUtf8(String hex, String expected) {
    assertThat(GoQuote.quote("a" + (char) Integer.parseInt(hex, 16) + "b")).isEqualTo("\"a" + expected + "b\"");
  }
}
