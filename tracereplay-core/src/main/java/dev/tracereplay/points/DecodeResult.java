package dev.tracereplay.points;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.tracereplay.wire.MessageType;
import java.util.Optional;

/**
 * What decoding a message's payload gave: the typed protobuf message, or why there is none. Decoding
 * never throws; a monitor handles the three cases with {@code instanceof}:
 *
 * <pre>{@code
 * if (message.decode() instanceof DecodeResult.Decoded decoded && decoded.message() instanceof Open open) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Values are immutable and thread-safe.
 */
public sealed interface DecodeResult {

  /** The typed payload when decoding succeeded, else empty. */
  Optional<Message> payload();

  /** Whether decoding succeeded. */
  default boolean isDecoded() {
    return this instanceof Decoded;
  }

  /**
   * The payload decoded.
   *
   * @param type the header's message type
   * @param message the payload, an instance of {@link TracePoints#payloadClass}{@code (type)}
   */
  record Decoded(MessageType type, Message message) implements DecodeResult {
    @Override
    public Optional<Message> payload() {
      return Optional.of(message);
    }
  }

  /**
   * The header's {@code message_type} is 0 or newer than this library: the payload is kept raw.
   * Senders add new types without a version bump, so this is not an error of the sender.
   *
   * @param messageType the header's number
   */
  record UnknownType(int messageType) implements DecodeResult {
    @Override
    public Optional<Message> payload() {
      return Optional.empty();
    }

    @Override
    public String toString() {
      return "unknown message type " + messageType;
    }
  }

  /**
   * The payload is not a valid protobuf encoding of the type's message.
   *
   * @param type the header's message type
   * @param error protobuf's description of what is wrong
   */
  record Undecodable(MessageType type, InvalidProtocolBufferException error) implements DecodeResult {
    @Override
    public Optional<Message> payload() {
      return Optional.empty();
    }

    @Override
    public String toString() {
      return "undecodable " + type.payloadMessage() + " payload: " + error.getMessage();
    }
  }
}
