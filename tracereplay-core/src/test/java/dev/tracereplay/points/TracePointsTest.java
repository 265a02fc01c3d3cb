package dev.tracereplay.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.points.common.ContextData;
import dev.tracereplay.points.common.GvisorMessageType;
import dev.tracereplay.points.sentry.CloneInfo;
import dev.tracereplay.points.syscall.Clone;
import dev.tracereplay.points.syscall.Dup;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.points.syscall.Prlimit;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class TracePointsTest {

  @ParameterizedTest
  @EnumSource(MessageType.class)
  void everyTypeHasThePayloadClassItsTableRowNames(MessageType type) {
    assertThat(TracePoints.defaultInstance(type).getDescriptorForType().getFullName()).isEqualTo(type.payloadMessage());
    assertThat(TracePoints.payloadClass(type).getSimpleName()).isEqualTo(type.payloadName());
    assertThat(TracePoints.typeOf(TracePoints.payloadClass(type))).isEqualTo(type);
    assertThat(TracePoints.parser(type)).isSameAs(TracePoints.defaultInstance(type).getParserForType());
  }

  @Test
  void dupAndPrlimitHaveTheNumbersOfTheSchemaTable() {
    // gVisor's C++ example server has these two off by one; message-types.tsv is the truth.
    assertThat(TracePoints.typeOf(Prlimit.class).number()).isEqualTo(16);
    assertThat(TracePoints.typeOf(Dup.class).number()).isEqualTo(19);
    assertThat(TracePoints.typeOf(Open.class)).isEqualTo(MessageType.SYSCALL_OPEN);
    assertThat(TracePoints.typeOf(CloneInfo.class)).isEqualTo(MessageType.SENTRY_CLONE);
    assertThat(TracePoints.typeOf(Clone.class)).isEqualTo(MessageType.SYSCALL_CLONE);
  }

  @ParameterizedTest
  @EnumSource(value = GvisorMessageType.class, names = {"MESSAGE_UNKNOWN", "UNRECOGNIZED"}, mode = EnumSource.Mode.EXCLUDE)
  void everyValueOfGvisorsEnumIsAMessageTypeWithItsNumberAndName(GvisorMessageType gvisor) {
    MessageType type = MessageType.forNumber(gvisor.getNumber());

    assertThat(type).isNotNull();
    assertThat("MESSAGE_" + type.name()).isEqualTo(gvisor.name());
    assertThat(MessageType.values()).hasSize(GvisorMessageType.values().length - 2);
  }

  @Test
  void encodeWritesTodaysHeaderAndThePayload() {
    Open open = Open.newBuilder().setSysno(257).build();

    ByteBuffer packet = TracePoints.encode(open, 0x01020304L);

    assertThat(packet.position()).isZero();
    byte[] bytes = new byte[packet.remaining()];
    packet.duplicate().get(bytes);
    assertThat(bytes).startsWith(8, 0, 7, 0, 4, 3, 2, 1).endsWith(open.toByteArray());
    assertThat(bytes).hasSize(8 + open.getSerializedSize());
  }

  @ParameterizedTest
  @CsvSource({
      "SYSCALL_OPEN, SYSCALL_OPEN",
      "syscall_open, SYSCALL_OPEN",
      "MESSAGE_SYSCALL_OPEN, SYSCALL_OPEN",
      "open, SYSCALL_OPEN",
      "Open, SYSCALL_OPEN",
      "7, SYSCALL_OPEN",
      "' read ', SYSCALL_READ",
      "cloneinfo, SENTRY_CLONE",
      "clone, SYSCALL_CLONE",
      "prlimit, SYSCALL_PRLIMIT64",
      "SYSCALL_PRLIMIT64, SYSCALL_PRLIMIT64",
      "38, SYSCALL_PTRACE",
      "Start, CONTAINER_START",
  })
  void parseTypeAcceptsConstantPayloadNameAndNumber(String name, MessageType expected) {
    assertThat(TracePoints.parseType(name)).isEqualTo(expected);
  }

  @Test
  void parseTypesReadsACommaSeparatedList() {
    assertThat(TracePoints.parseTypes("open,read, 2,,SYSCALL_WRITE"))
        .containsExactly(MessageType.SENTRY_CLONE, MessageType.SYSCALL_OPEN, MessageType.SYSCALL_READ,
            MessageType.SYSCALL_WRITE);
  }

  @Nested
  class Failures {
    @Test
    void aNameThatMatchesNothingListsTheValidNames() {
      assertThatThrownBy(() -> TracePoints.parseType("opne"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("unknown message type \"opne\"; valid are the payload names start, cloneinfo,")
          .hasMessageContaining(", open, close, read,")
          .hasMessageEndingWith(", the MessageType names (e.g. SYSCALL_OPEN) and the numbers 1-38");
    }

    @ParameterizedTest
    @CsvSource({"0", "39", "-1", "''"})
    void numbersOutsideTheTableMatchNothing(String name) {
      assertThatThrownBy(() -> TracePoints.parseType(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEmptyListIsRefused() {
      assertThatThrownBy(() -> TracePoints.parseTypes(" , "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("no message type named in \" , \"");
    }

    @Test
    void typeOfAClassThatIsNoPointNamesTheClass() {
      assertThatThrownBy(() -> TracePoints.typeOf(ContextData.class))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("dev.tracereplay.points.common.ContextData is not the payload of a trace point;"
              + " payloads are the classes of Start, CloneInfo,");
    }
  }
}
