package dev.tracereplay;

import dev.tracereplay.wire.MessageType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What a replay did: how many messages and bytes were sent, the version the sink answered in the
 * handshake, how many messages of each type were sent, what its {@link dev.tracereplay.replay.ReplayShape
 * shape} selected, dropped and altered, and how it ended: at the end of the selection, closed on
 * purpose by a {@code close} fault, closed by the sink after a {@code handshake-version} fault (what
 * a sink refusing that version does, so the fault's purpose), or at a send that failed because the
 * sink had closed the connection.
 *
 * <p>Sent is not read: the kernel buffers what is sent, so when {@code replayTo} returns the sink
 * may still be reading (wait for it on the sink's side), and a sink that closed the connection
 * is noticed only by a later send. Message numbers are 1-based positions in the trace file.
 *
 * @param trace the trace file replayed
 * @param endpoint the sink's address
 * @param messagesSent messages sent, each one packet (altered ones included)
 * @param bytesSent bytes of those packets (headers and payloads), as sent
 * @param sinkVersion the version in the sink's handshake answer (unsigned)
 * @param messagesByType messages sent per header type number (as sent, e.g. 999 after an
 *     {@code unknown-type} fault), in ascending number order
 * @param sinkClosedAtMessage the message whose send failed because the sink had closed the
 *     connection; empty when no send failed. Over a real socket this is the first send that
 *     failed after the kernel's buffering, not the message the sink refused: the sink may have
 *     closed while reading any message sent before it, and a sink that closes after the last
 *     send is not noticed at all
 * @param elapsed from the start of the replay to its last send
 * @param messagesSelected messages of the file the selection took, up to where the replay ended
 *     (sent, altered or dropped)
 * @param messagesDropped messages a drop fault kept from the sink (counted in later headers)
 * @param messagesAltered messages whose bytes a fault changed ({@code dropped_count} rewrites after
 *     a drop not counted)
 * @param closedAfterMessage the position after which a {@code close} fault closed the connection
 *     on purpose; empty when none did
 * @param closedAfterHandshakeFault whether the sink closed the connection after a
 *     {@code handshake-version} fault announced a version other than the file's: at the handshake,
 *     instead of answering (then nothing was sent and {@code sinkVersion} is 0), or at a later send
 *     (then {@link #sinkClosedAtMessage} says which). That is how a sink refuses a version it does
 *     not take, which is what the fault tests, so the replay ends normally rather than failing
 */
public record ReplayResult(Path trace, String endpoint, long messagesSent, long bytesSent, int sinkVersion,
    Map<Integer, Long> messagesByType, OptionalLong sinkClosedAtMessage, Duration elapsed, long messagesSelected,
    long messagesDropped, long messagesAltered, OptionalLong closedAfterMessage, boolean closedAfterHandshakeFault) {

  public ReplayResult {
    messagesByType = Collections.unmodifiableMap(new TreeMap<>(messagesByType));
  }

  /** A result without a handshake fault the sink closed after (the components before that one). */
  public ReplayResult(Path trace, String endpoint, long messagesSent, long bytesSent, int sinkVersion,
      Map<Integer, Long> messagesByType, OptionalLong sinkClosedAtMessage, Duration elapsed, long messagesSelected,
      long messagesDropped, long messagesAltered, OptionalLong closedAfterMessage) {
    this(trace, endpoint, messagesSent, bytesSent, sinkVersion, messagesByType, sinkClosedAtMessage, elapsed,
        messagesSelected, messagesDropped, messagesAltered, closedAfterMessage, false);
  }

  /**
   * Whether every message the replay meant to send was sent: no send failed because the sink had
   * closed the connection, and the sink did not close it at the handshake. A replay that a
   * {@code close} fault ended is complete in this sense.
   */
  public boolean deliveredAll() {
    return sinkClosedAtMessage.isEmpty() && !(closedAfterHandshakeFault && messagesSent == 0);
  }

  /** Whether a {@code close} fault closed the connection on purpose. */
  public boolean closedOnPurpose() {
    return closedAfterMessage.isPresent();
  }

  /** Messages of this type sent. */
  public long messagesOf(MessageType type) {
    return messagesByType.getOrDefault(type.number(), 0L);
  }

  @Override
  public String toString() {
    return "ReplayResult[" + trace + " -> " + endpoint + ": " + messagesSent + " messages, " + bytesSent
        + " bytes, sink version " + Integer.toUnsignedString(sinkVersion)
        + (messagesDropped == 0 ? "" : ", " + messagesDropped + " dropped")
        + (messagesAltered == 0 ? "" : ", " + messagesAltered + " altered")
        + (closedOnPurpose() ? ", closed on purpose after message " + closedAfterMessage.getAsLong() : "")
        + (closedAfterHandshakeFault ? ", the sink closed the connection after the handshake fault, as expected" : "")
        + (sinkClosedAtMessage.isEmpty() ? "" : ", a send failed at message " + sinkClosedAtMessage.getAsLong()
            + ": the sink had closed the connection") + "]";
  }
}
