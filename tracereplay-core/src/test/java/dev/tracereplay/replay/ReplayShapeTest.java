package dev.tracereplay.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ReplayShapeTest {

  @Test
  void parsesEverySettingAsTheFrontDoorsSpellThem() {
    ReplayShape shape = ReplayShape.parse(List.of("drop@2-3", "close@10"), List.of("open,read", "start", "999"),
        "5-20", 2.0, null, 42);

    assertThat(shape.faults()).containsExactly(Fault.drop(2, 3), Fault.closeAfter(10));
    assertThat(shape.types()).containsExactly(1, 7, 9, 999);
    assertThat(shape.messages()).isEqualTo(MessageRange.of(5, 20));
    assertThat(shape.pacing()).isEqualTo(Pacing.speed(2));
    assertThat(shape.seed()).isEqualTo(42);
    assertThat(shape).hasToString("faults [drop@2-3, close@10], types 1,7,9,999, messages 5-20, speed 2.0");
  }

  @Test
  void nothingGivenIsTheRecordingAsItIs() {
    ReplayShape shape = ReplayShape.parse(List.of(), List.of(), "", null, null, ReplayShape.DEFAULT_SEED);

    assertThat(shape).isEqualTo(ReplayShape.AS_RECORDED);
    assertThat(shape.isAsRecorded()).isTrue();
    assertThat(shape).hasToString("as recorded");
  }

  @Test
  void rangesReadBothForms() {
    assertThat(MessageRange.parse("3-")).isEqualTo(MessageRange.startingAt(3)).hasToString("3-");
    assertThat(MessageRange.parse(" 3-7 ")).isEqualTo(MessageRange.of(3, 7)).hasToString("3-7");
    assertThat(MessageRange.of(3, 7).contains(7)).isTrue();
    assertThat(MessageRange.of(3, 7).contains(8)).isFalse();
  }

  @Test
  void theHandshakeVersionIsTheFaultsOrTheFiles() {
    assertThat(ReplayShape.AS_RECORDED.handshakeVersion(1)).isEqualTo(1);
    assertThat(ReplayShape.AS_RECORDED.withFaults(List.of(Fault.handshakeVersion(0xFFFF_FFFFL))).handshakeVersion(1))
        .isEqualTo(-1);
  }

  @Nested
  class Errors {

    @Test
    void aBadTypeNamesItAndTheGrammar() {
      assertThatThrownBy(() -> ReplayShape.parse(List.of(), List.of("open,opne"), null, null, null, 0))
          .isInstanceOfSatisfying(ShapeException.class, e -> {
            assertThat(e.part()).isEqualTo(ShapeException.Part.TYPES);
            assertThat(e.spec()).isEqualTo("opne");
          })
          .hasMessage("'opne' is not a message type: a type is a payload name (open, read, start, cloneinfo), a"
              + " MessageType name (SYSCALL_OPEN) or a header number (7, or any number to 65535 for types from a"
              + " newer runsc)");
      assertThatThrownBy(() -> ReplayShape.parse(List.of(), List.of("70000"), null, null, null, 0))
          .hasMessage("'70000' is not a message type: header type numbers go from 0 to 65535");
      assertThatThrownBy(() -> ReplayShape.parse(List.of(), List.of("open,"), null, null, null, 0))
          .hasMessageStartingWith("'open,' names an empty type");
    }

    @Test
    void aBadRangeNamesItAndTheGrammar() {
      assertThatThrownBy(() -> ReplayShape.parse(List.of(), List.of(), "7", null, null, 0))
          .isInstanceOfSatisfying(ShapeException.class, e -> assertThat(e.part()).isEqualTo(ShapeException.Part.MESSAGES))
          .hasMessage("'7' is not a message range: the dash is missing (write 7-7 for one message). Use FROM-TO or"
              + " FROM- (1-based message numbers in the file, both included)");
      assertThatThrownBy(() -> MessageRange.parse("9-3"))
          .hasMessage("'9-3' is not a message range: a message range ends before it starts: 9-3. Use FROM-TO or"
              + " FROM- (1-based message numbers in the file, both included)");
      assertThatThrownBy(() -> MessageRange.parse("0-3")).hasMessageContaining("message numbers start at 1");
    }

    @Test
    void aMessageNumberBeyondTheLongRangeNamesItAndTheLimit() {
      assertThatThrownBy(() -> MessageRange.parse("1-99999999999999999999"))
          .isInstanceOfSatisfying(ShapeException.class, e -> assertThat(e.part()).isEqualTo(ShapeException.Part.MESSAGES))
          .hasMessage("'1-99999999999999999999' is not a message range: '99999999999999999999' is too large for a"
              + " message number: at most 9223372036854775807. Use FROM-TO or FROM- (1-based message numbers in the"
              + " file, both included)");
      assertThatThrownBy(() -> MessageRange.parse("9223372036854775808-"))
          .hasMessageContaining("'9223372036854775808' is too large for a message number: at most 9223372036854775807");
      assertThat(MessageRange.parse("9223372036854775807-")).isEqualTo(MessageRange.startingAt(Long.MAX_VALUE));
    }

    @Test
    void speedAndRateExcludeEachOtherAndMustBePositive() {
      assertThatThrownBy(() -> ReplayShape.parse(List.of(), List.of(), null, 2.0, 100.0, 0))
          .isInstanceOfSatisfying(ShapeException.class, e -> assertThat(e.part()).isEqualTo(ShapeException.Part.SPEED))
          .hasMessage("speed and rate exclude each other: speed follows the recorded pace (times 2.0), rate sends a"
              + " fixed number of messages a second (100.0); give one of them");
      assertThatThrownBy(() -> ReplayShape.parse(List.of(), List.of(), null, -1.0, null, 0))
          .hasMessage("speed must be a number above 0, was -1.0 (a multiple of the recorded pace: 1 is real time, 2"
              + " twice as fast)");
      assertThatThrownBy(() -> ReplayShape.parse(List.of(), List.of(), null, null, 0.0, 0))
          .isInstanceOfSatisfying(ShapeException.class, e -> assertThat(e.part()).isEqualTo(ShapeException.Part.RATE))
          .hasMessage("rate must be a number above 0, was 0.0 (messages a second)");
    }

    @Test
    void contradictoryFaults() {
      assertThatThrownBy(() -> ReplayShape.parse(List.of("handshake-version=2", "handshake-version=3"), List.of(),
          null, null, null, 0))
          .hasMessage("only one handshake-version=V fault may be given, found handshake-version=2 and"
              + " handshake-version=3");
    }
  }
}
