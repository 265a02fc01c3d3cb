package dev.tracereplay.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.points.DecodeResult;
import dev.tracereplay.points.MalformedRecordException;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageReader;
import dev.tracereplay.points.common.ContextData;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceBuilderTest {
  @TempDir Path dir;

  private static List<TraceMessage> read(Path trace) throws IOException {
    List<TraceMessage> messages = new ArrayList<>();
    try (TraceMessageReader reader = TraceMessageReader.open(trace)) {
      for (TraceMessage message; (message = reader.next()) != null; ) {
        messages.add(message.copy());
      }
    }
    return messages;
  }

  @Test
  void rebuildsARealRecordingByteForByteFromItsDecodedMessages() throws IOException {
    TraceBuilder builder = TraceBuilder.create();
    for (TraceMessage message : read(TestTraces.SHELL_COMMON)) {
      builder.add(message.decode().payload().orElseThrow(), message.droppedCount());
    }

    Path rebuilt = builder.writeTo(dir.resolve("rebuilt"));

    assertThat(builder.size()).isEqualTo(444);
    assertThat(Files.readAllBytes(rebuilt)).isEqualTo(Files.readAllBytes(TestTraces.SHELL_COMMON));
  }

  @Test
  void takesEachMessagesTypeFromItsClassAndItsDroppedCountAsGiven() throws IOException {
    Start start = Start.newBuilder().setId("c1").setCwd("/").build();
    Open open = Open.newBuilder().setPathname("/etc/shadow").build();

    Path trace = TraceBuilder.create().add(start).add(open, 3).writeTo(dir.resolve("t"));

    List<TraceMessage> messages = read(trace);
    assertThat(messages).extracting(TraceMessage::type).containsExactly(MessageType.CONTAINER_START,
        MessageType.SYSCALL_OPEN);
    assertThat(messages).extracting(TraceMessage::droppedCount).containsExactly(0L, 3L);
    assertThat(messages.get(0).as(Start.class)).isEqualTo(start);
    assertThat(messages.get(1).as(Open.class)).isEqualTo(open);
  }

  @Test
  void writesUnknownTypesUndecodablePayloadsAndMalformedRecords() throws IOException {
    Path trace = TraceBuilder.create()
        .addRaw(99, new byte[] {1, 2, 3}, 7)
        .addRaw(MessageType.SYSCALL_OPEN.number(), new byte[] {(byte) 0xFF})
        .addPacket(new byte[] {1, 2, 3})
        .writeTo(dir.resolve("odd"));

    try (TraceMessageReader reader = TraceMessageReader.open(trace)) {
      TraceMessage unknown = reader.next();
      assertThat(unknown.decode()).isEqualTo(new DecodeResult.UnknownType(99));
      assertThat(unknown.droppedCount()).isEqualTo(7);
      assertThat(unknown.size()).isEqualTo(11);
      assertThat(reader.next().decode()).isInstanceOf(DecodeResult.Undecodable.class);
      assertThatThrownBy(reader::next).isInstanceOf(MalformedRecordException.class);
      assertThat(reader.next()).isNull();
    }
  }

  @Test
  void writesTheConfiguredVersion() throws IOException {
    Path trace = TraceBuilder.create().version(2).writeTo(dir.resolve("v2"));

    try (TraceMessageReader reader = TraceMessageReader.open(trace)) {
      assertThat(reader.config()).isEqualTo(new TraceConfig(2));
      assertThat(reader.next()).isNull();
    }
  }

  @Test
  void writesTheSameFileEachTime() throws IOException {
    TraceBuilder builder = TraceBuilder.create().add(Open.getDefaultInstance());

    Path first = builder.writeTo(dir.resolve("first"));
    Path second = builder.writeTo(dir.resolve("second"));

    assertThat(first).hasSameBinaryContentAs(second);
  }

  @Test
  void neverOverwritesAFile() throws IOException {
    Path existing = Files.writeString(dir.resolve("existing"), "keep me");

    assertThatThrownBy(() -> TraceBuilder.create().writeTo(existing)).isInstanceOf(FileAlreadyExistsException.class);
    assertThat(existing).hasContent("keep me");
  }

  @Test
  void refusesAMessageThatIsNotATracePoint() {
    Message notAPoint = ContextData.getDefaultInstance();

    assertThatThrownBy(() -> TraceBuilder.create().add(notAPoint)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("dev.tracereplay.points.common.ContextData is not the payload of a trace point");
  }

  @Test
  void refusesOutOfRangeHeaderFields() {
    assertThatThrownBy(() -> TraceBuilder.create().add(Open.getDefaultInstance(), 1L << 32))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("dropped_count must be 0..2^32-1, was 4294967296");
    assertThatThrownBy(() -> TraceBuilder.create().addRaw(65536, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("message_type must be 0..65535, was 65536");
    assertThatThrownBy(() -> TraceBuilder.create().version(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("version must be at least 1, was 0");
  }
}
