package dev.tracereplay.testing;

import com.google.protobuf.Message;
import dev.tracereplay.points.DecodeResult;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TracePrinter;
import dev.tracereplay.wire.MessageType;
import java.util.Objects;

/**
 * One message a {@link RecordingSink} received: which connection it came on, its number on that
 * connection, and the message itself, a copy that owns its bytes, already decoded.
 *
 * <p>A payload that did not decode (an unknown type, bytes that are not valid protobuf) is kept
 * with the reason in {@link #decoded()}: nothing received is dropped. Immutable and thread-safe.
 *
 * @param client the connection's number on the sink, from 1, in accept order
 * @param message the message; {@link TraceMessage#number()} is its 1-based number on the connection
 */
public record ReceivedMessage(long client, TraceMessage message) {

  public ReceivedMessage {
    Objects.requireNonNull(message, "message");
  }

  /** The message's 1-based number on its connection (the handshake not counted). */
  public long number() {
    return message.number();
  }

  /** The known type, or {@code null} for a header number this library does not know. */
  public MessageType type() {
    return message.type();
  }

  /** The header's {@code dropped_count}. */
  public long droppedCount() {
    return message.droppedCount();
  }

  /** The payload decoded, or why it could not be. */
  public DecodeResult decoded() {
    return message.decode();
  }

  /**
   * The payload as {@code payloadClass}, e.g. {@code as(Open.class)}.
   *
   * @throws IllegalStateException when the payload is of another type, unknown or undecodable
   */
  public <T extends Message> T as(Class<T> payloadClass) {
    return message.as(payloadClass);
  }

  /** The message as gVisor's example server prints it, e.g. {@code E Open context_data { ... } fd: 3}. */
  public String textLine() {
    return TracePrinter.textLine(message);
  }

  /** E.g. {@code client 1, message 3: E Open ...}. */
  @Override
  public String toString() {
    return "client " + client + ", message " + message.number() + ": " + textLine();
  }
}
