package dev.tracereplay.junit5.assertions;

import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageReader;
import dev.tracereplay.points.TracePrinter;
import dev.tracereplay.points.TraceStats;
import dev.tracereplay.testing.ReceivedMessage;
import dev.tracereplay.testing.RecordingSink;
import dev.tracereplay.wire.MalformedMessageException;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a trace file: its messages counted and by type, its dropped points, and whether a
 * sink received exactly its messages. Obtained from {@link TraceReplayAssertions}.
 *
 * <p>The file is streamed, never loaded whole: the counts are computed in one pass the first time
 * one is needed and kept for the following assertions of this object, and the assertions that
 * look at messages read the file again up to the first one that fails. A failure shows the first
 * offending message decoded, as gVisor's example server prints it. A file that cannot be read as a
 * trace fails the assertion with the reader's message (file, byte offset, record). Not thread-safe.
 */
public class TraceAssert extends AbstractAssert<TraceAssert, Path> {
  private TraceStats stats;

  /**
   * Assertions on the trace file {@code actual}; {@link TraceReplayAssertions} is the usual way in.
   * Public, and the class open, as AssertJ's custom assertions are, so that
   * {@code SoftAssertions.proxy(TraceAssert.class, Path.class, trace)} works.
   */
  public TraceAssert(Path actual) {
    super(actual, TraceAssert.class);
  }

  /** Verifies that the trace has {@code expected} messages (records). */
  public TraceAssert hasMessageCount(long expected) {
    long count = stats().messages();
    if (count != expected) {
      throw failureWithActualExpected(count, expected, "%nExpecting trace:%n  %s%nto have %s messages but it has %s",
          actual, expected, count);
    }
    return myself;
  }

  /** Verifies that the trace has {@code expected} messages of {@code type}. */
  public TraceAssert hasMessageCountOf(MessageType type, long expected) {
    long count = stats().count(type);
    if (count != expected) {
      throw failureWithActualExpected(count, expected,
          "%nExpecting trace:%n  %s%nto have %s messages of type %s but it has %s", actual, expected, type, count);
    }
    return myself;
  }

  /** Verifies that the trace has at least one message of each of {@code types}. */
  public TraceAssert containsType(MessageType... types) {
    Set<MessageType> missing = EnumSet.noneOf(MessageType.class);
    for (MessageType type : types) {
      if (stats().count(type) == 0) {
        missing.add(type);
      }
    }
    if (!missing.isEmpty()) {
      throw failure("%nExpecting trace:%n  %s%nto contain messages of types:%n  %s%nbut it has none of:%n  %s%n"
          + "Its messages per type:%n  %s", actual, Arrays.asList(types), missing, countsByName());
    }
    return myself;
  }

  /** Verifies that the trace has no message of any of {@code types}; a failure shows the first one. */
  public TraceAssert doesNotContainType(MessageType... types) {
    Set<MessageType> unwanted = EnumSet.noneOf(MessageType.class);
    unwanted.addAll(Arrays.asList(types));
    TraceMessage first = firstMessage(message -> unwanted.contains(message.type()));
    if (first != null) {
      throw failure("%nExpecting trace:%n  %s%nnot to contain messages of types:%n  %s%nbut it does, first:%n  %s",
          actual, Arrays.asList(types), TraceRecords.describe(first));
    }
    return myself;
  }

  /**
   * Verifies that no message's header counts dropped points: the sender kept up with the
   * recording. A failure shows the first message that counts some.
   */
  public TraceAssert hasNoDroppedPoints() {
    TraceMessage first = firstMessage(message -> message.droppedCount() != 0);
    if (first != null) {
      throw failure("%nExpecting trace:%n  %s%nto have no dropped points but it has dropped_count %s at:%n  %s",
          actual, first.droppedCount(), TraceRecords.describe(first));
    }
    return myself;
  }

  /** Verifies the wire version in the trace's config: the version a replay announces. */
  public TraceAssert hasVersion(int expected) {
    int version = stats().version();
    if (version != expected) {
      throw failureWithActualExpected(Integer.toUnsignedString(version), Integer.toUnsignedString(expected),
          "%nExpecting trace:%n  %s%nto have version %s but it has %s", actual, Integer.toUnsignedString(expected),
          Integer.toUnsignedString(version));
    }
    return myself;
  }

  /**
   * Verifies that {@code received} holds exactly the messages of the trace, byte for byte and in
   * order, as a sink must see a replay of it: here {@link RecordingSink}'s messages of one
   * connection. A failure shows the first message that differs, or is missing or extra, decoded
   * on both sides.
   */
  public TraceAssert matchesReceived(List<ReceivedMessage> received) {
    return matches(received.stream().map(message -> new Received(message.message().packet(), message::textLine,
        message::toString)).toList());
  }

  /**
   * Verifies that {@code received} holds exactly the messages of the trace, byte for byte and in
   * order, whatever sink collected them: e.g. a {@link dev.tracereplay.points.TraceMessageHandler}
   * that keeps {@code message.copy()} of each. A failure shows the first message that differs, or
   * is missing or extra, decoded on both sides.
   */
  public TraceAssert matchesReceivedMessages(List<? extends TraceMessage> received) {
    return matches(received.stream().map(message -> new Received(message.packet(),
        () -> TracePrinter.textLine(message), () -> "message " + message.number() + ": " + TracePrinter.textLine(message)))
        .toList());
  }

  /**
   * Verifies that {@code received} holds exactly the messages of the trace, byte for byte and in
   * order: each packet (header and payload) between its position and limit, as any sink received
   * it, e.g. a {@link dev.tracereplay.server.ClientHandler}'s copies or a file another program
   * wrote. A failure shows the first packet that differs, or is missing or extra, decoded on both
   * sides (a packet that is not a message says why).
   */
  public TraceAssert matchesReceivedPackets(List<? extends ByteBuffer> received) {
    List<Received> messages = new ArrayList<>(received.size());
    for (ByteBuffer packet : received) {
      long number = messages.size() + 1;
      Supplier<String> textLine = () -> textLine(packet, number);
      messages.add(new Received(packet, textLine, () -> "message " + number + ": " + textLine.get()));
    }
    return matches(messages);
  }

  private TraceAssert matches(List<Received> received) {
    isNotNull();
    long[] index = {0};
    try (TraceMessageReader reader = TraceMessageReader.open(actual)) {
      reader.forEach(expected -> {
        if (index[0] >= received.size()) {
          throw failure("%nExpecting the received messages to be the messages of trace:%n  %s%nbut it has more than"
              + " the %s received; the first missing is:%n  %s", actual, received.size(), TraceRecords.describe(expected));
        }
        Received message = received.get((int) index[0]++);
        if (!expected.packet().equals(message.packet())) {
          throw failureWithActualExpected(message.textLine().get(), TracePrinter.textLine(expected),
              "%nExpecting the received messages to be the messages of trace:%n  %s%nbut received message %s"
                  + " differs:%n  expected %s%n  received %s", actual, index[0], TraceRecords.describe(expected),
              message.description().get());
        }
        return true;
      }, malformed -> {
        throw failure("%nExpecting the received messages to be the messages of trace:%n  %s%nbut its record %s"
            + " (byte offset %s) is malformed (%s), and a sink refuses such a message", actual, malformed.recordNumber(),
            malformed.offset(), malformed.problem());
      });
    } catch (IOException e) {
      throw unreadable(e);
    }
    if (index[0] < received.size()) {
      throw failure("%nExpecting the received messages to be the messages of trace:%n  %s%nbut more were received"
          + " than its %s; the first extra one is:%n  %s", actual, index[0],
          received.get((int) index[0]).description().get());
    }
    return myself;
  }

  /** One received message as the comparison needs it: its bytes and, for a failure only, its text. */
  private record Received(ByteBuffer packet, Supplier<String> textLine, Supplier<String> description) {}

  /** A received packet as gVisor's example server prints it, or why it is not a message. */
  private static String textLine(ByteBuffer packet, long number) {
    String malformed = MessageHeader.malformation(packet);
    if (malformed != null) {
      return "not a message: " + malformed;
    }
    try {
      return TracePrinter.textLine(TraceMessage.wrap(packet.duplicate(), number));
    } catch (MalformedMessageException e) {
      return "not a message: " + e.getMessage();
    }
  }

  /** The first message of the file that {@code test} accepts (a copy), or null. */
  private TraceMessage firstMessage(Predicate<TraceMessage> test) {
    isNotNull();
    try {
      return TraceRecords.first(actual, test);
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  private TraceStats stats() {
    isNotNull();
    if (stats == null) {
      try {
        stats = TraceStats.of(actual);
      } catch (IOException e) {
        throw unreadable(e);
      }
    }
    return stats;
  }

  /** The counts by type name, in header number order, e.g. {@code {CONTAINER_START=1, SYSCALL_OPEN=2}}. */
  private Map<String, Long> countsByName() {
    Map<String, Long> counts = new LinkedHashMap<>();
    stats().countsByType().forEach((number, count) -> counts.put(MessageType.nameOf(number), count));
    return counts;
  }

  private AssertionError unreadable(IOException e) {
    AssertionError error = failure("%nExpecting a readable trace file but:%n  %s", e.getMessage());
    error.initCause(e);
    return error;
  }
}
