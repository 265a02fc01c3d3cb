package dev.tracereplay.junit5.assertions;

import com.google.protobuf.Message;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.wire.MessageType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;

/**
 * Assertions on the messages a sink received, whatever sink it is: a
 * {@link dev.tracereplay.testing.RecordingSink}, or a handler of your own that keeps
 * {@code message.copy()} of each. Counts, types and dropped points as {@link TraceAssert} has them
 * for a file, the payloads of one type for AssertJ's list assertions, and whether they are a
 * trace's messages byte for byte. Obtained from
 * {@link TraceReplayAssertions#assertThatReceived(List)}. A failure shows the first offending
 * message decoded. Not thread-safe.
 */
public class ReceivedAssert extends AbstractAssert<ReceivedAssert, List<? extends TraceMessage>> {

  /**
   * Assertions on the received messages {@code actual}; {@link TraceReplayAssertions} is the usual
   * way in. Public, and the class open, as AssertJ's custom assertions are.
   */
  public ReceivedAssert(List<? extends TraceMessage> actual) {
    super(actual, ReceivedAssert.class);
  }

  /** Verifies that {@code expected} messages were received. */
  public ReceivedAssert hasMessageCount(long expected) {
    isNotNull();
    if (actual.size() != expected) {
      throw failureWithActualExpected((long) actual.size(), expected, "%nExpecting %s messages to be received but"
          + " %s were; per type:%n  %s", expected, actual.size(), countsByName());
    }
    return myself;
  }

  /** Verifies that {@code expected} messages of {@code type} were received. */
  public ReceivedAssert hasMessageCountOf(MessageType type, long expected) {
    isNotNull();
    long count = actual.stream().filter(message -> message.type() == type).count();
    if (count != expected) {
      throw failureWithActualExpected(count, expected, "%nExpecting %s messages of type %s to be received but %s"
          + " were; per type:%n  %s", expected, type, count, countsByName());
    }
    return myself;
  }

  /** Verifies that at least one message of each of {@code types} was received. */
  public ReceivedAssert containsType(MessageType... types) {
    isNotNull();
    Set<MessageType> missing = EnumSet.noneOf(MessageType.class);
    missing.addAll(Arrays.asList(types));
    actual.forEach(message -> missing.remove(message.type()));
    if (!missing.isEmpty()) {
      throw failure("%nExpecting the received messages to contain messages of types:%n  %s%nbut none was of:%n  %s%n"
          + "Received per type:%n  %s", Arrays.asList(types), missing, countsByName());
    }
    return myself;
  }

  /** Verifies that no message of any of {@code types} was received; a failure shows the first one. */
  public ReceivedAssert doesNotContainType(MessageType... types) {
    isNotNull();
    List<MessageType> unwanted = Arrays.asList(types);
    for (TraceMessage message : actual) {
      if (unwanted.contains(message.type())) {
        throw failure("%nExpecting the received messages not to contain messages of types:%n  %s%nbut they do,"
            + " first:%n  %s", unwanted, TraceRecords.describe(message));
      }
    }
    return myself;
  }

  /** Verifies that no received header counts dropped points; a failure shows the first that does. */
  public ReceivedAssert hasNoDroppedPoints() {
    isNotNull();
    for (TraceMessage message : actual) {
      if (message.droppedCount() != 0) {
        throw failure("%nExpecting no dropped points in the received messages but dropped_count is %s at:%n  %s",
            message.droppedCount(), TraceRecords.describe(message));
      }
    }
    return myself;
  }

  /**
   * Verifies that the received messages are exactly the messages of the trace {@code replayer}
   * replays, byte for byte and in order, as {@link TraceAssert#matchesReceivedMessages(List)}.
   */
  public ReceivedAssert isTraceOf(TraceReplayer replayer) {
    isNotNull();
    Assertions.assertThat(replayer).as("the replayer").isNotNull();
    new TraceAssert(replayer.trace()).matchesReceivedMessages(actual);
    return myself;
  }

  /**
   * The decoded payloads of type {@code payloadClass}, in order, for AssertJ's list assertions,
   * e.g. {@code payloadsOf(Open.class).extracting(Open::getPathname).contains("/etc/passwd")}.
   * Messages of other types, and payloads that did not decode, are passed over.
   */
  public <T extends Message> ListAssert<T> payloadsOf(Class<T> payloadClass) {
    isNotNull();
    List<T> payloads = new ArrayList<>();
    for (TraceMessage message : actual) {
      message.decode().payload().filter(payloadClass::isInstance).map(payloadClass::cast).ifPresent(payloads::add);
    }
    return Assertions.assertThat(payloads).as("the received %s payloads", payloadClass.getSimpleName());
  }

  /** The counts by type name, in order of first arrival, e.g. {@code {CONTAINER_START=1, SYSCALL_OPEN=2}}. */
  private Map<String, Long> countsByName() {
    Map<String, Long> counts = new LinkedHashMap<>();
    actual.forEach(message -> counts.merge(MessageType.nameOf(message.messageType()), 1L, Long::sum));
    return counts;
  }
}
