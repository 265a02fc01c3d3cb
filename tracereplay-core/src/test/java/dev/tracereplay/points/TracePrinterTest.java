package dev.tracereplay.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tracereplay.Fixtures;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.points.common.ContextData;
import dev.tracereplay.points.common.SocketIp;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.sentry.TaskExit;
import dev.tracereplay.points.syscall.Connect;
import dev.tracereplay.points.syscall.Exit;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.points.syscall.Read;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracePrinterTest {
  static final Open OPEN_EXIT = Open.newBuilder().setExit(Exit.newBuilder().setResult(3)).setSysno(257)
      .setFd(-100).setPathname("/etc/ld.so.cache").setFlags(524288).build();

  @TempDir Path dir;

  @Nested
  class ServerCcFormat {
    @Test
    void trueStartPrintsAsTheCheckedInExpectedOutput() throws Exception {
      StringWriter out = new StringWriter();

      long printed = TracePrinter.to(out).printFile(Fixtures.copy("true-start.trace", dir));

      assertThat(printed).isEqualTo(1);
      assertThat(out.toString()).isEqualTo(expected("true-start.print.txt"));
    }

    @Test
    void theFirst40MessagesOfShellCommonPrintAsTheCheckedInExpectedOutput() throws Exception {
      StringWriter out = new StringWriter();

      TracePrinter.builder().limit(40).build(out).printFile(Fixtures.copy("shell-common.trace", dir));

      assertThat(out.toString()).isEqualTo(expected("shell-common-first-40.print.txt"));
    }

    @Test
    void anEventIsItsNameAnArrowAndItsTextOnOneLine() throws Exception {
      Start start = Start.newBuilder().setId("a061e1ee8530").setCwd("/").addArgs("echo").addArgs("123").build();

      assertThat(line(start)).isEqualTo("Start => id: \"a061e1ee8530\" cwd: \"/\" args: \"echo\" args: \"123\" ");
    }

    @Test
    void aSyscallWithExitIsX() throws Exception {
      assertThat(line(OPEN_EXIT))
          .isEqualTo("X Open exit {   result: 3 } sysno: 257 fd: -100 pathname: \"/etc/ld.so.cache\" flags: 524288 ");
    }

    @Test
    void aSyscallWithoutExitIsE() throws Exception {
      assertThat(line(OPEN_EXIT.toBuilder().clearExit().build()))
          .isEqualTo("E Open sysno: 257 fd: -100 pathname: \"/etc/ld.so.cache\" flags: 524288 ");
    }

    @Test
    void anExitWithOnlyDefaultsIsStillAnExit() throws Exception {
      assertThat(line(Read.newBuilder().setExit(Exit.getDefaultInstance()).setFd(3).build()))
          .isEqualTo("X Read exit { } fd: 3 ");
    }

    @Test
    void anEmptyPayloadPrintsNothingAfterTheName() throws Exception {
      assertThat(line(TaskExit.getDefaultInstance())).isEqualTo("TaskExit => ");
      assertThat(line(Read.getDefaultInstance())).isEqualTo("E Read ");
    }

    @Test
    void nonAsciiTextIsPrintedAsIsAndBytesEscaped() throws Exception {
      Connect connect = Connect.newBuilder().setFdPath("/tmp/caf\u00e9 \"x\"")
          .setAddress(ByteString.copyFrom(new byte[] {1, 0, (byte) 0xFF})).build();

      assertThat(line(connect)).isEqualTo("E Connect fd_path: \"/tmp/caf\u00e9 \\\"x\\\"\" address: \"\\001\\000\\377\" ");
    }
  }

  @Nested
  class Json {
    @Test
    void aLineHoldsTheHeaderAndThePayloadInProto3Json() throws Exception {
      Open open = OPEN_EXIT.toBuilder().setContextData(ContextData.newBuilder()
          .setTimeNs(1_795_660_244_034_833_431L).setThreadId(7).setProcessName("caf\u00e9\n")).build();
      TraceMessage message = TraceMessage.wrap(TracePoints.encode(open, 0), 2, 209);

      String line = TracePrinter.jsonLine(message);

      assertThat(line).isEqualTo("{\"number\":2,\"offset\":209,\"headerSize\":8,\"messageType\":7,"
          + "\"type\":\"SYSCALL_OPEN\",\"droppedCount\":0,\"payload\":{\"contextData\":{\"timeNs\":\"1795660244034833431\","
          + "\"threadId\":7,\"processName\":\"caf\u00e9\\n\"},\"exit\":{\"result\":\"3\"},\"sysno\":\"257\",\"fd\":\"-100\","
          + "\"pathname\":\"/etc/ld.so.cache\",\"flags\":524288}}");
      assertThat(MiniJson.parse(line)).isEqualTo(Map.of("number", 2L, "offset", 209L, "headerSize", 8L,
          "messageType", 7L, "type", "SYSCALL_OPEN", "droppedCount", 0L,
          "payload", Map.of(
              "contextData", Map.of("timeNs", "1795660244034833431", "threadId", 7L, "processName", "caf\u00e9\n"),
              "exit", Map.of("result", "3"),
              "sysno", "257", "fd", "-100", "pathname", "/etc/ld.so.cache", "flags", 524288L)));
    }

    @Test
    void everyPopulatedTypeGivesValidJson() throws Exception {
      for (MessageType type : MessageType.values()) {
        TraceMessage message = TraceMessage.wrap(TracePoints.encode(Payloads.populated(type), 0), 1);

        Object parsed = MiniJson.parse(TracePrinter.jsonLine(message));

        assertThat(parsed).as("%s", type).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("type", type.name()).containsKey("payload");
      }
    }

    @Test
    void unsignedIntegersBytesAndRepeatedFieldsFollowProto3Json() throws Exception {
      Connect connect = Connect.newBuilder().setSysno(-1L).setAddress(ByteString.copyFrom(new byte[] {1, 2, 3, (byte) 0xFF}))
          .setContextData(ContextData.newBuilder().setCredentials(
              dev.tracereplay.points.common.Credentials.newBuilder().setRealUid(-2))).build();
      Start start = Start.newBuilder().addArgs("a").addArgs("b\"c").build();

      assertThat(TracePrinter.jsonLine(TraceMessage.wrap(TracePoints.encode(connect, 0), 1)))
          .endsWith("\"payload\":{\"contextData\":{\"credentials\":{\"realUid\":4294967294}},"
              + "\"sysno\":\"18446744073709551615\",\"address\":\"AQID/w==\"}}");
      assertThat(TracePrinter.jsonLine(TraceMessage.wrap(TracePoints.encode(start, 0), 1)))
          .endsWith("\"payload\":{\"args\":[\"a\",\"b\\\"c\"]}}");
      assertThat(SocketIp.getDefaultInstance().getIp()).isEmpty();
    }

    @Test
    void anUnknownTypeKeepsItsRawPayload() throws Exception {
      TraceMessage message = TraceMessage.wrap(Payloads.packet(8, 99, 4, new byte[] {1, 2, 3}), 3);

      assertThat(TracePrinter.jsonLine(message)).isEqualTo("{\"number\":3,\"headerSize\":8,\"messageType\":99,"
          + "\"droppedCount\":4,\"error\":\"unknown message type 99\",\"rawPayload\":\"AQID\"}");
    }

    @Test
    void aGrownDroppedCountIsAField() throws Exception {
      StringWriter out = new StringWriter();
      TracePrinter printer = TracePrinter.builder().format(TracePrinter.Format.JSON).build(out);

      printer.print(TraceMessage.wrap(TracePoints.encode(OPEN_EXIT, 5), 1));
      printer.print(TraceMessage.wrap(TracePoints.encode(OPEN_EXIT, 5), 2));

      List<String> lines = out.toString().lines().toList();
      assertThat(lines.get(0)).contains("\"droppedCount\":5,\"newlyDropped\":5,");
      assertThat(lines.get(1)).contains("\"droppedCount\":5,\"payload\"");
    }
  }

  @Nested
  class Listing {
    @Test
    void anUnknownTypePrintsInvalidAndTheListingGoesOn() throws Exception {
      Path file = trace(
          TracePoints.encode(OPEN_EXIT, 0),
          Payloads.packet(8, 99, 0, new byte[] {8, 1}),
          Payloads.packet(8, 0, 0, new byte[0]),
          TracePoints.encode(Start.newBuilder().setId("x").build(), 0));
      StringWriter out = new StringWriter();

      long printed = TracePrinter.to(out).printFile(file);

      assertThat(printed).isEqualTo(4);
      assertThat(out.toString()).isEqualTo(line(OPEN_EXIT) + "\n"
          + "Invalid message type: 99\n"
          + "Invalid message type: 0\n"
          + "Start => id: \"x\" \n");
    }

    @Test
    void anUndecodablePayloadPrintsWhyAndTheListingGoesOn() throws Exception {
      Path file = trace(
          Payloads.packet(8, 7, 0, new byte[] {0x0A, 100, 1, 2}),
          TracePoints.encode(OPEN_EXIT, 0));
      StringWriter out = new StringWriter();

      TracePrinter.to(out).printFile(file);

      assertThat(out.toString().lines().toList()).satisfiesExactly(
          first -> assertThat(first).startsWith("Undecodable Open payload (message_type 7, 4 bytes): Protocol message"),
          second -> assertThat(second).isEqualTo(line(OPEN_EXIT)));
    }

    @Test
    void aMalformedRecordPrintsANoticeAndTheListingGoesOn() throws Exception {
      Path file = trace(
          ByteBuffer.wrap(new byte[] {8, 0, 7}),
          TracePoints.encode(OPEN_EXIT, 0));
      StringWriter out = new StringWriter();

      long printed = TracePrinter.to(out).printFile(file);

      assertThat(printed).isEqualTo(1);
      assertThat(out.toString()).isEqualTo(
          "Malformed record 1 (byte offset 37): packet of 3 bytes is shorter than the 8-byte message header\n"
              + line(OPEN_EXIT) + "\n");
    }

    @Test
    void aDroppedCountThatGrewIsShownBeforeTheMessage() throws Exception {
      Path file = trace(
          TracePoints.encode(OPEN_EXIT, 0),
          TracePoints.encode(OPEN_EXIT, 3),
          TracePoints.encode(OPEN_EXIT, 3),
          TracePoints.encode(OPEN_EXIT, 10));
      StringWriter out = new StringWriter();

      TracePrinter.to(out).printFile(file);

      String open = line(OPEN_EXIT) + "\n";
      assertThat(out.toString()).isEqualTo(open
          + "Dropped 3 points before this message (dropped_count: 3)\n" + open
          + open
          + "Dropped 7 points before this message (dropped_count: 10)\n" + open);
    }

    @Test
    void aDroppedCountThatWrapsShowsTheDifference() throws Exception {
      StringWriter out = new StringWriter();
      TracePrinter printer = TracePrinter.to(out);

      printer.print(TraceMessage.wrap(TracePoints.encode(OPEN_EXIT, 0xFFFF_FFFEL), 1));
      printer.print(TraceMessage.wrap(TracePoints.encode(OPEN_EXIT, 1), 2));

      assertThat(out.toString()).contains("Dropped 4294967294 points before this message (dropped_count: 4294967294)\n")
          .contains("Dropped 3 points before this message (dropped_count: 1)\n");
    }

    @Test
    void typesAndLimitSelectWhatIsPrintedAndDropsFromSkippedMessagesStillShow() throws Exception {
      Start start = Start.newBuilder().setId("s").build();
      Read read = Read.newBuilder().setFd(3).build();
      Path file = trace(
          TracePoints.encode(start, 0),
          TracePoints.encode(OPEN_EXIT, 0),
          TracePoints.encode(start, 2),
          TracePoints.encode(read, 2),
          Payloads.packet(8, 99, 2, new byte[0]),
          TracePoints.encode(OPEN_EXIT, 2),
          TracePoints.encode(read, 2));
      StringWriter out = new StringWriter();
      TracePrinter printer = TracePrinter.builder()
          .types(Set.of(MessageType.SYSCALL_OPEN, MessageType.SYSCALL_READ)).limit(3).build(out);

      long printed = printer.printFile(file);

      assertThat(printed).isEqualTo(3);
      assertThat(printer.isDone()).isTrue();
      assertThat(out.toString()).isEqualTo(line(OPEN_EXIT) + "\n"
          + "Dropped 2 points before this message (dropped_count: 2)\n"
          + line(read) + "\n"
          + line(OPEN_EXIT) + "\n");
    }

    @Test
    void aLimitOfZeroPrintsNothing() throws Exception {
      StringWriter out = new StringWriter();

      long printed = TracePrinter.builder().limit(0).build(out).printFile(Fixtures.copy("true-start.trace", dir));

      assertThat(printed).isZero();
      assertThat(out.toString()).isEmpty();
    }

    @Test
    void builderRefusesNonsense() {
      assertThatThrownBy(() -> TracePrinter.builder().limit(-1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("limit must be 0 or more, was -1");
      assertThatThrownBy(() -> TracePrinter.builder().types(Set.of())).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private Path trace(ByteBuffer... packets) throws IOException {
    Path file = dir.resolve("test-" + System.nanoTime() + ".trace");
    try (TraceFileWriter writer = TraceFileWriter.create(file, TraceConfig.CURRENT)) {
      for (ByteBuffer packet : packets) {
        writer.append(packet);
      }
    }
    return file;
  }

  private static String line(com.google.protobuf.Message payload) throws IOException {
    return TracePrinter.textLine(TraceMessage.wrap(TracePoints.encode(payload, 0), 1));
  }

  private static String expected(String name) throws IOException {
    try (InputStream in = TracePrinterTest.class.getResourceAsStream("/points/" + name)) {
      assertThat(in).as("test resource points/%s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
