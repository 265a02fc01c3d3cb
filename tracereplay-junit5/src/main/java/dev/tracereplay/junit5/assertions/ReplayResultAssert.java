package dev.tracereplay.junit5.assertions;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.wire.MessageType;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on what a replay did: whether every send went through, the version the sink
 * answered, the messages and bytes sent, what a shaped replay selected, dropped and altered, and
 * whether it closed the connection on purpose. Obtained from
 * {@link TraceReplayAssertions#assertThat(ReplayResult)}.
 *
 * <p>A replay knows what it sent, not what the sink read: the kernel buffers sent packets, so a
 * sink that closed the connection is noticed at a later send, and one that closes after the last
 * send not at all. When a send failed, the failure shows the first message not sent, read from
 * the trace and decoded, and says that the sink may have stopped at any message before it. To
 * check what the sink received, assert on the sink. Not thread-safe.
 */
public class ReplayResultAssert extends AbstractAssert<ReplayResultAssert, ReplayResult> {

  /**
   * Assertions on the replay result {@code actual}; {@link TraceReplayAssertions} is the usual way
   * in. Public, and the class open, as AssertJ's custom assertions are, so that
   * {@code SoftAssertions.proxy(ReplayResultAssert.class, ReplayResult.class, result)} works.
   */
  public ReplayResultAssert(ReplayResult actual) {
    super(actual, ReplayResultAssert.class);
  }

  /**
   * Verifies that every message the replay meant to send was sent: no send failed because the
   * sink had closed the connection (a result with such a failure comes from a replayer
   * {@link dev.tracereplay.TraceReplayer#withEarlyCloseAllowed withEarlyCloseAllowed(true)}, or
   * from a sink that closed after a malformed packet). A {@code close} fault ending the replay on
   * purpose passes.
   */
  public ReplayResultAssert deliveredAll() {
    isNotNull();
    if (!actual.deliveredAll() && actual.sinkClosedAtMessage().isEmpty()) {
      throw failure("%nExpecting the replay of:%n  %s%ninto:%n  %s%nto send every message but the sink closed the"
          + " connection at the handshake, after a handshake-version fault (nothing was sent)", actual.trace(),
          actual.endpoint());
    }
    if (!actual.deliveredAll()) {
      long failed = actual.sinkClosedAtMessage().getAsLong();
      throw failure("%nExpecting the replay of:%n  %s%ninto:%n  %s%nto send every message but the sink had closed the"
          + " connection: sending message %s failed, after %s sent (the kernel buffers sent messages, so the sink may"
          + " have closed while reading any of them). Message %s is:%n  %s", actual.trace(), actual.endpoint(),
          failed, actual.messagesSent(), failed, TraceRecords.describe(actual.trace(), failed));
    }
    return myself;
  }

  /**
   * Verifies that a send failed because the sink had closed the connection before the replay's
   * end. Which send failed depends on the kernel's buffering, so no message number is asserted.
   */
  public ReplayResultAssert sinkClosedEarly() {
    isNotNull();
    if (actual.deliveredAll()) {
      throw failure("%nExpecting the replay of:%n  %s%ninto:%n  %s%nto find the connection closed by the sink but"
          + " every send went through (%s messages sent; a sink that closes after the last send is not noticed)",
          actual.trace(), actual.endpoint(), actual.messagesSent());
    }
    return myself;
  }

  /** Verifies that a {@code close} fault closed the connection on purpose right after message {@code expected}. */
  public ReplayResultAssert closedOnPurposeAfter(long expected) {
    isNotNull();
    if (!actual.closedOnPurpose()) {
      throw failure("%nExpecting the replay of:%n  %s%nto close the connection on purpose after message %s but no"
          + " close fault was reached (%s messages sent)", actual.trace(), expected, actual.messagesSent());
    }
    long after = actual.closedAfterMessage().getAsLong();
    if (after != expected) {
      throw failureWithActualExpected(after, expected, "%nExpecting the replay of:%n  %s%nto close the connection on"
          + " purpose after message %s but it closed it after message %s", actual.trace(), expected, after);
    }
    return myself;
  }

  /** Verifies how many messages the selection took from the trace (sent, altered or dropped). */
  public ReplayResultAssert hasSelectedMessages(long expected) {
    return hasCount(actual == null ? 0 : actual.messagesSelected(), expected, "select", "selected");
  }

  /** Verifies how many messages drop faults kept from the sink. */
  public ReplayResultAssert hasDroppedMessages(long expected) {
    return hasCount(actual == null ? 0 : actual.messagesDropped(), expected, "drop", "dropped");
  }

  /** Verifies how many messages faults altered. */
  public ReplayResultAssert hasAlteredMessages(long expected) {
    return hasCount(actual == null ? 0 : actual.messagesAltered(), expected, "alter", "altered");
  }

  private ReplayResultAssert hasCount(long count, long expected, String verb, String past) {
    isNotNull();
    if (count != expected) {
      throw failureWithActualExpected(count, expected, "%nExpecting the replay of:%n  %s%nto %s %s messages but it"
          + " %s %s", actual.trace(), verb, expected, past, count);
    }
    return myself;
  }

  /** Verifies the version the sink answered the handshake with. */
  public ReplayResultAssert sinkAnsweredVersion(int expected) {
    isNotNull();
    if (actual.sinkVersion() != expected) {
      String version = Integer.toUnsignedString(actual.sinkVersion());
      throw failureWithActualExpected(version, Integer.toUnsignedString(expected), "%nExpecting the sink at:%n  %s"
          + "%nto answer the handshake with version %s but it answered %s", actual.endpoint(),
          Integer.toUnsignedString(expected), version);
    }
    return myself;
  }

  /** Verifies how many messages were sent (those refused by a sink that closed early not counted). */
  public ReplayResultAssert hasSentMessages(long expected) {
    isNotNull();
    if (actual.messagesSent() != expected) {
      throw failureWithActualExpected(actual.messagesSent(), expected, "%nExpecting the replay of:%n  %s%nto send"
          + " %s messages but it sent %s", actual.trace(), expected, actual.messagesSent());
    }
    return myself;
  }

  /** Verifies how many messages of {@code type} were sent. */
  public ReplayResultAssert hasSentMessagesOf(MessageType type, long expected) {
    isNotNull();
    long sent = actual.messagesOf(type);
    if (sent != expected) {
      throw failureWithActualExpected(sent, expected, "%nExpecting the replay of:%n  %s%nto send %s messages of"
          + " type %s but it sent %s", actual.trace(), expected, type, sent);
    }
    return myself;
  }

  /** Verifies how many bytes of messages (headers and payloads) were sent. */
  public ReplayResultAssert hasSentBytes(long expected) {
    isNotNull();
    if (actual.bytesSent() != expected) {
      throw failureWithActualExpected(actual.bytesSent(), expected, "%nExpecting the replay of:%n  %s%nto send %s"
          + " bytes but it sent %s", actual.trace(), expected, actual.bytesSent());
    }
    return myself;
  }
}
