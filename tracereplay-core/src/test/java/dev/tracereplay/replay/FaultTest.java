package dev.tracereplay.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FaultTest {

  @Test
  void everySpellingParsesToItsFault() {
    assertThat(Fault.parse("drop@3")).isEqualTo(Fault.drop(3)).isEqualTo(new Fault.Drop(3, 3));
    assertThat(Fault.parse("drop@2-5")).isEqualTo(Fault.drop(2, 5));
    assertThat(Fault.parse("drop~12.5%")).isEqualTo(Fault.dropRandomly(12.5));
    assertThat(Fault.parse("corrupt@1")).isEqualTo(Fault.corrupt(1));
    assertThat(Fault.parse("short@4")).isEqualTo(Fault.shortPacket(4));
    assertThat(Fault.parse("bad-header@4")).isEqualTo(Fault.badHeader(4));
    assertThat(Fault.parse("unknown-type@4")).isEqualTo(Fault.unknownType(4));
    assertThat(Fault.parse("oversize@4")).isEqualTo(Fault.oversize(4));
    assertThat(Fault.parse("stall@10:500ms")).isEqualTo(Fault.stall(10, Duration.ofMillis(500)));
    assertThat(Fault.parse("stall@10:2")).isEqualTo(Fault.stall(10, Duration.ofSeconds(2)));
    assertThat(Fault.parse("close@10")).isEqualTo(Fault.closeAfter(10));
    assertThat(Fault.parse("handshake-version=4294967295")).isEqualTo(Fault.handshakeVersion(0xFFFF_FFFFL));
    assertThat(Fault.parse("  Close@10 ")).isEqualTo(Fault.closeAfter(10));
  }

  @ParameterizedTest
  @ValueSource(strings = {"drop@3", "drop@2-5", "drop~12.5%", "drop~30%", "corrupt@1", "short@4", "bad-header@4",
      "unknown-type@4", "oversize@4", "stall@10:500ms", "stall@10:2s", "stall@1:3m", "close@10", "handshake-version=0"})
  void toStringIsTheSpelling(String spec) {
    assertThat(Fault.parse(spec)).hasToString(spec);
  }

  @Test
  void aStallOfTheLimitIsTakenAndALongerOneRefused() {
    assertThat(Fault.parse("stall@3:1h")).isEqualTo(Fault.stall(3, Fault.MAX_STALL));
    assertThat(Fault.parse("stall@3:3600s")).hasToString("stall@3:1h");
    assertThatThrownBy(() -> Fault.stall(3, Duration.ofHours(1).plusMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a stall is at most 1h, was PT1H0.001S");
    assertThatThrownBy(() -> Fault.stall(3, Duration.ofDays(365L * 1_000_000))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a stall is at most 1h");
  }

  @Nested
  class BadSpellings {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        drop@x            | 'x' is not a message number (a whole number)
        drop@0            | message numbers start at 1 (the first message of the file), was 0
        drop@5-2          | a drop range ends before it starts: 5-2
        drop~150%         | a drop probability is a percentage above 0 and at most 100, was 150.0
        drop~0%           | a drop probability is a percentage above 0 and at most 100, was 0.0
        drop~5            | '5' is not a percentage such as 5% or 0.5%
        drop=3            | drop is followed by @N, @N-M or ~P%
        corrupt~3         | corrupt is followed by @N
        stall@3           | a stall needs its duration, as in stall@3:500ms
        stall@3:soon      | 'soon' is not a duration: use e.g. 500ms, 2s, 1m or 1h
        handshake-version@1 | handshake-version is followed by =V
        handshake-version=4294967296 | a handshake version is 0 to 4294967295, was 4294967296
        close@99999999999999999999 | '99999999999999999999' is too large for a message number: at most 9223372036854775807
        drop@1-9223372036854775808 | '9223372036854775808' is too large for a message number: at most 9223372036854775807
        stall@99999999999999999999:1s | '99999999999999999999' is too large for a message number: at most 9223372036854775807
        stall@3:99999999999h | '99999999999h' is longer than a stall may be: at most 1h
        stall@3:61m       | '61m' is longer than a stall may be: at most 1h
        stall@3:3600001ms | '3600001ms' is longer than a stall may be: at most 1h
        stall@3:99999999999999999999999 | '99999999999999999999999' is longer than a stall may be: at most 1h
        handshake-version=99999999999999999999 | '99999999999999999999' is too large for a version: at most 9223372036854775807
        explode@3         | unknown fault
        """)
    void sayWhatIsWrongAndGiveTheGrammar(String spec, String why) {
      assertThatThrownBy(() -> Fault.parse(spec))
          .isInstanceOfSatisfying(ShapeException.class, e -> {
            assertThat(e.part()).isEqualTo(ShapeException.Part.FAULTS);
            assertThat(e.spec()).isEqualTo(spec);
          })
          .hasMessage("'" + spec + "' is not a fault: " + why + ". Faults: drop@N, drop@N-M, drop~P%, corrupt@N,"
              + " short@N, bad-header@N, unknown-type@N, oversize@N, stall@N:DURATION (e.g. 500ms, 2s), close@N,"
              + " handshake-version=V (N: a 1-based message number in the file)");
    }
  }
}
