package dev.tracereplay.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.Fixtures;
import dev.tracereplay.channel.InMemorySeqPacketListener;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.server.ClientInfo;
import dev.tracereplay.server.CloseReason;
import dev.tracereplay.server.SinkServer;
import dev.tracereplay.internal.wire.Handshake;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PrintingSinkTest {
  private static final CloseReason PEER_CLOSED =
      new CloseReason(CloseReason.Kind.PEER_CLOSED, "the client closed the connection", 0, null);

  @TempDir Path dir;

  @Test
  void printsTheConnectionThenOneServerCcLinePerMessageThenTheClose() throws Exception {
    StringWriter out = new StringWriter();
    List<TraceMessage> messages = messagesOf("shell-common.trace");

    TraceMessageHandler handler = PrintingSink.to(out).newClient(client(1));
    for (TraceMessage message : messages) {
      handler.onMessage(message);
    }
    handler.onClose(PEER_CLOSED);

    List<String> expected = new ArrayList<>();
    expected.add("Connection accepted");
    messages.forEach(message -> expected.add(TracePrinter.textLine(message)));
    expected.add("Connection closed");
    assertThat(out.toString()).isEqualTo(String.join("\n", expected) + "\n");
    assertThat(out.toString()).contains("\nStart => context_data {").contains("\nE Open ").contains("\nX Open ");
  }

  @Test
  void quietPrintsTheConnectionLinesAndDroppedPointsOnly() throws Exception {
    StringWriter out = new StringWriter();

    TraceMessageHandler handler = PrintingSink.to(out, true).newClient(client(1));
    for (TraceMessage message : messagesOf("shell-common.trace")) {
      handler.onMessage(message);
    }
    handler.onMessage(message(TracePoints.encode(Open.getDefaultInstance(), 7), 1));
    handler.onMessage(message(TracePoints.encode(Open.getDefaultInstance(), 7), 2));
    handler.onMessage(message(TracePoints.encode(Open.getDefaultInstance(), 9), 3));
    handler.onClose(PEER_CLOSED);

    assertThat(out.toString()).isEqualTo("Connection accepted\n"
        + "Dropped 7 points before this message (dropped_count: 7)\n"
        + "Dropped 2 points before this message (dropped_count: 9)\n"
        + "Connection closed\n");
  }

  @Test
  void quietAndLoudSayTheSameAboutDroppedPoints() throws Exception {
    StringWriter quiet = new StringWriter();
    StringWriter loud = new StringWriter();
    TraceMessageHandler quietHandler = PrintingSink.to(quiet, true).newClient(client(1));
    TraceMessageHandler loudHandler = PrintingSink.to(loud, false).newClient(client(1));

    for (long dropped : new long[] {0, 3, 3, 0xFFFF_FFFFL, 2}) {
      TraceMessage message = message(TracePoints.encode(Open.getDefaultInstance(), dropped), 1);
      quietHandler.onMessage(message);
      loudHandler.onMessage(message);
    }

    assertThat(quiet.toString().lines().toList())
        .isEqualTo(loud.toString().lines().filter(line -> !line.startsWith("E Open")).toList())
        .hasSize(1 + 3);
  }

  @Test
  void aGrowingDroppedCountIsNoticedBeforeTheMessagePerClient() throws Exception {
    StringWriter out = new StringWriter();
    PrintingSink sink = PrintingSink.to(out);
    TraceMessageHandler first = sink.newClient(client(1));
    TraceMessageHandler second = sink.newClient(client(2));
    Start start = Start.newBuilder().setId("a").build();

    first.onMessage(message(TracePoints.encode(start, 0), 1));
    first.onMessage(message(TracePoints.encode(start, 5), 2));
    second.onMessage(message(TracePoints.encode(start, 5), 1));
    first.onMessage(message(TracePoints.encode(start, 5), 3));

    String line = "Start => id: \"a\" ";
    assertThat(out.toString()).isEqualTo("Connection accepted\nConnection accepted\n"
        + line + "\n"
        + "Dropped 5 points before this message (dropped_count: 5)\n" + line + "\n"
        + "Dropped 5 points before this message (dropped_count: 5)\n" + line + "\n"
        + line + "\n");
  }

  @Test
  void unknownTypesAndUndecodablePayloadsGetTheirOwnLinesAndTheClientCarriesOn() throws Exception {
    StringWriter out = new StringWriter();
    TraceMessageHandler handler = PrintingSink.to(out).newClient(client(1));

    handler.onMessage(message(ByteBuffer.wrap(new byte[] {8, 0, 99, 0, 0, 0, 0, 0}), 1));
    handler.onMessage(message(ByteBuffer.wrap(new byte[] {8, 0, 7, 0, 0, 0, 0, 0, 0x0A, 100}), 2));
    handler.onMessage(message(TracePoints.encode(Start.newBuilder().setId("b").build(), 0), 3));

    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1)).isEqualTo("Invalid message type: 99");
    assertThat(lines.get(2)).startsWith("Undecodable Open payload (message_type 7, 2 bytes): ");
    assertThat(lines.get(3)).isEqualTo("Start => id: \"b\" ");
  }

  @Nested
  class WhyAConnectionClosed {
    @Test
    void aCleanCloseIsJustConnectionClosed() throws Exception {
      assertThat(closeLine(false, PEER_CLOSED)).isEqualTo("Connection closed");
    }

    @Test
    void anyOtherCloseSaysWhyOnTheSameLine() throws Exception {
      CloseReason malformed = new CloseReason(CloseReason.Kind.MALFORMED,
          "message 3 is malformed: packet of 3 bytes is shorter than the 8-byte message header", 2, null);
      CloseReason serverClosed = new CloseReason(CloseReason.Kind.SERVER_CLOSED, "the server was closed", 9, null);

      assertThat(closeLine(false, malformed)).isEqualTo(
          "Connection closed: message 3 is malformed: packet of 3 bytes is shorter than the 8-byte message header");
      assertThat(closeLine(true, serverClosed)).isEqualTo("Connection closed: the server was closed");
    }

    private String closeLine(boolean quiet, CloseReason reason) throws IOException {
      StringWriter out = new StringWriter();
      PrintingSink.to(out, quiet).newClient(client(1)).onClose(reason);
      return out.toString().lines().reduce((first, last) -> last).orElseThrow();
    }
  }

  @Nested
  class Output {
    @Test
    void isFlushedAfterEveryLine() throws Exception {
      List<String> flushed = new ArrayList<>();
      StringWriter written = new StringWriter();
      Writer out = new Writer() {
        @Override
        public void write(char[] chars, int offset, int length) {
          written.write(chars, offset, length);
        }

        @Override
        public void flush() {
          flushed.add(written.toString());
        }

        @Override
        public void close() {}
      };
      List<TraceMessage> messages = messagesOf("shell-common.trace").subList(0, 3);

      TraceMessageHandler handler = PrintingSink.to(out).newClient(client(1));
      for (TraceMessage message : messages) {
        handler.onMessage(message);
      }
      handler.onClose(PEER_CLOSED);

      List<String> lines = written.toString().lines().toList();
      assertThat(lines).hasSize(5);
      assertThat(flushed).hasSize(5);
      for (int i = 0; i < flushed.size(); i++) {
        assertThat(flushed.get(i)).as("after line %d", i + 1).isEqualTo(String.join("\n", lines.subList(0, i + 1)) + "\n");
      }
    }

    @Test
    @Timeout(60)
    void linesOfClientsPrintingAtOnceNeverInterleave() throws Exception {
      // An output that lets other threads run between every character: without the sink's lock,
      // lines would come out mixed.
      StringBuilder text = new StringBuilder();
      Appendable slowOut = new Appendable() {
        @Override
        public Appendable append(CharSequence chars) {
          for (int i = 0; i < chars.length(); i++) {
            append(chars.charAt(i));
          }
          return this;
        }

        @Override
        public Appendable append(CharSequence chars, int start, int end) {
          return append(chars.subSequence(start, end));
        }

        @Override
        public synchronized Appendable append(char c) {
          text.append(c);
          Thread.yield();
          return this;
        }
      };
      List<TraceMessage> messages = messagesOf("shell-common.trace").subList(0, 60);
      PrintingSink sink = PrintingSink.to(slowOut);
      int clients = 8;

      ExecutorService threads = Executors.newFixedThreadPool(clients);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int c = 1; c <= clients; c++) {
          ClientInfo client = client(c);
          List<TraceMessage> own = messages.stream().map(TraceMessage::copy).toList();
          done.add(threads.submit(() -> {
            TraceMessageHandler handler = sink.newClient(client);
            for (TraceMessage message : own) {
              handler.onMessage(message);
            }
            handler.onClose(PEER_CLOSED);
            return null;
          }));
        }
        for (Future<?> future : done) {
          future.get();
        }
      } finally {
        threads.shutdownNow();
      }

      Set<String> wholeLines = new HashSet<>(List.of("Connection accepted", "Connection closed"));
      messages.forEach(message -> wholeLines.add(TracePrinter.textLine(message)));
      List<String> lines = text.toString().lines().toList();
      assertThat(lines).hasSize(clients * (messages.size() + 2));
      assertThat(wholeLines).containsAll(lines);
      assertThat(lines).filteredOn("Connection closed"::equals).hasSize(clients);
    }

    @Test
    void aFailingOutputClosesTheClientWhoseLineItWas() throws Exception {
      PrintStream broken = new PrintStream(new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          throw new IOException("Broken pipe");
        }
      }, true);

      assertThatThrownBy(() -> PrintingSink.to(broken).newClient(client(1)))
          .isInstanceOf(IOException.class)
          .hasMessage("writing to the output failed (PrintStream reports an error; is stdout closed?)");
    }
  }

  @Test
  @Timeout(60)
  void servesASinkServer() throws Exception {
    StringWriter out = new StringWriter();
    InMemorySeqPacketListener listener = new InMemorySeqPacketListener("printing");
    Start start = Start.newBuilder().setId("c").build();

    try (SinkServer server = SinkServer.builder(TraceMessageHandler.perClient(PrintingSink.to(out)))
        .listener(listener).start()) {
      try (SeqPacketChannel client = listener.connect()) {
        client.send(Handshake.encode(Handshake.CURRENT_VERSION));
        ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE);
        assertThat(client.receive(answer)).isPositive();
        client.send(TracePoints.encode(start, 0));
        client.send(ByteBuffer.wrap(new byte[] {8, 0, 7}));
      }
      assertThat(server.awaitNoClients(Duration.ofSeconds(30))).isTrue();
    }

    assertThat(out.toString()).isEqualTo("Connection accepted\nStart => id: \"c\" \n"
        + "Connection closed: message 2 is malformed: packet of 3 bytes is shorter than the 8-byte message header\n");
  }

  /**
   * A payload nested 2,000 deep overflowed the stack of the client's thread in protobuf's text
   * printer: the Error escaped the handler, and the rest of that session was lost. It prints as
   * undecodable, and the session goes on, over a real socket.
   */
  @Test
  @Timeout(60)
  void aPayloadNestedTooDeepPrintsAsUndecodableAndTheSessionGoesOn() throws Exception {
    StringWriter out = new StringWriter();
    Path endpoint = dir.resolve("sink.sock");
    byte[] bomb = Payloads.nested(2000);

    try (SinkServer server = SinkServer.builder(TraceMessageHandler.perClient(PrintingSink.to(out)))
        .endpoint(endpoint).start()) {
      try (SeqPacketChannel client = UnixSeqPacketChannel.connect(endpoint)) {
        client.send(Handshake.encode(Handshake.CURRENT_VERSION));
        assertThat(client.receive(ByteBuffer.allocate(Handshake.MAX_SIZE))).isPositive();
        client.send(Payloads.packet(8, 7, 0, bomb));
        client.send(TracePoints.encode(Start.newBuilder().setId("after").build(), 0));
      }
      assertThat(server.awaitNoClients(Duration.ofSeconds(30))).isTrue();
    }

    assertThat(out.toString()).isEqualTo("Connection accepted\n"
        + "Undecodable Open payload (message_type 7, " + bomb.length + " bytes): the payload nests messages more"
        + " than 100 levels deep (fields this library does not know, read as messages); no trace point does,"
        + " and printing it would overflow the stack\n"
        + "Start => id: \"after\" \n"
        + "Connection closed\n");
  }

  private List<TraceMessage> messagesOf(String fixture) throws IOException {
    List<TraceMessage> messages = new ArrayList<>();
    try (TraceMessageReader reader = TraceMessageReader.open(Fixtures.copy(fixture, dir))) {
      for (TraceMessage message; (message = reader.next()) != null; ) {
        messages.add(message.copy());
      }
    }
    return messages;
  }

  private static TraceMessage message(ByteBuffer packet, long number) throws IOException {
    return TraceMessage.wrap(packet, number);
  }

  private static ClientInfo client(long id) {
    return new ClientInfo(id, 1, "test.sock");
  }
}
