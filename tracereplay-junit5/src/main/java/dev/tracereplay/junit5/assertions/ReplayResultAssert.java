package dev.tracereplay.junit5.assertions;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.wire.MessageType;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on what a replay did: whether the sink took every message, the version it answered,
 * the messages and bytes sent. Obtained from {@link TraceReplayAssertions#assertThat(ReplayResult)}.
 *
 * <p>When the sink closed the connection early, the failure shows the message it refused, read
 * from the trace and decoded. Not thread-safe.
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
   * Verifies that every message of the trace reached the sink: it did not close the connection
   * early (a result with an early close comes from a replayer
   * {@link dev.tracereplay.TraceReplayer#withEarlyCloseAllowed withEarlyCloseAllowed(true)}).
   */
  public ReplayResultAssert deliveredAll() {
    isNotNull();
    if (!actual.deliveredAll()) {
      long refused = actual.sinkClosedAtMessage().getAsLong();
      throw failure("%nExpecting the replay of:%n  %s%ninto:%n  %s%nto deliver every message but the sink closed the"
          + " connection at message %s (%s delivered), which is:%n  %s", actual.trace(), actual.endpoint(), refused,
          actual.messagesSent(), TraceRecords.describe(actual.trace(), refused));
    }
    return myself;
  }

  /** Verifies that the sink closed the connection when message {@code expected} (1-based) was sent. */
  public ReplayResultAssert sinkClosedAtMessage(long expected) {
    isNotNull();
    if (actual.deliveredAll()) {
      throw failure("%nExpecting the replay of:%n  %s%ninto:%n  %s%nto end with the sink closing the connection at"
          + " message %s but every message (%s) was delivered", actual.trace(), actual.endpoint(), expected,
          actual.messagesSent());
    }
    long refused = actual.sinkClosedAtMessage().getAsLong();
    if (refused != expected) {
      throw failureWithActualExpected(refused, expected, "%nExpecting the replay of:%n  %s%ninto:%n  %s%nto end with"
          + " the sink closing the connection at message %s but it closed it at message %s, which is:%n  %s",
          actual.trace(), actual.endpoint(), expected, refused, TraceRecords.describe(actual.trace(), refused));
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
