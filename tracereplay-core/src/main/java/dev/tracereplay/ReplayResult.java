package dev.tracereplay;

import dev.tracereplay.wire.MessageType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What a replay did: how many messages and bytes reached the sink, the version the sink answered
 * in the handshake, how many messages of each type were sent and, when the sink closed the
 * connection before the end, at which message.
 *
 * @param trace the trace file replayed
 * @param endpoint the sink's address
 * @param messagesSent messages sent, each one packet
 * @param bytesSent bytes of those packets (headers and payloads)
 * @param sinkVersion the version in the sink's handshake answer (unsigned)
 * @param messagesByType messages sent per header type number, in ascending number order
 * @param sinkClosedAtMessage the 1-based number of the message the sink refused by closing, or
 *     empty when every message was delivered
 * @param elapsed from connection to the last message sent
 */
public record ReplayResult(Path trace, String endpoint, long messagesSent, long bytesSent, int sinkVersion,
    Map<Integer, Long> messagesByType, OptionalLong sinkClosedAtMessage, Duration elapsed) {

  public ReplayResult {
    messagesByType = Collections.unmodifiableMap(new TreeMap<>(messagesByType));
  }

  /** Whether every message of the trace was sent: the sink did not close early. */
  public boolean deliveredAll() {
    return sinkClosedAtMessage.isEmpty();
  }

  /** Messages of this type sent. */
  public long messagesOf(MessageType type) {
    return messagesByType.getOrDefault(type.number(), 0L);
  }

  @Override
  public String toString() {
    return "ReplayResult[" + trace + " -> " + endpoint + ": " + messagesSent + " messages, " + bytesSent
        + " bytes, sink version " + Integer.toUnsignedString(sinkVersion)
        + (deliveredAll() ? "" : ", sink closed at message " + sinkClosedAtMessage.getAsLong()) + "]";
  }
}
