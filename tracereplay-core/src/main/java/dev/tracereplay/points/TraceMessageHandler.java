package dev.tracereplay.points;

import dev.tracereplay.server.ClientHandler;
import dev.tracereplay.server.ClientHandlerFactory;
import dev.tracereplay.server.ClientInfo;
import dev.tracereplay.server.CloseReason;
import java.io.IOException;
import java.util.Objects;

/**
 * What a monitor does with one client's messages, as {@link TraceMessage}s: the typed layer over
 * {@link ClientHandler}. {@link #perClient(Factory)} turns a factory of these into the
 * {@link ClientHandlerFactory} a {@link dev.tracereplay.server.SinkServer} takes:
 *
 * <pre>{@code
 * SinkServer server = SinkServer.builder(TraceMessageHandler.perClient(client -> message -> {
 *   if (message.decode().payload().orElse(null) instanceof Open open) {
 *     log.info("{} opened {}", client, open.getPathname());
 *   }
 * })).endpoint(endpoint).start();
 * }</pre>
 *
 * <p>The same threading as {@link ClientHandler}: one handler per client, called only from that
 * client's thread. A message is valid only during {@link #onMessage} ({@link TraceMessage#copy()}
 * keeps one); its {@link TraceMessage#number()} is its number on the connection. Decoding never
 * throws, so a payload that is not valid protobuf reaches the handler as
 * {@link DecodeResult.Undecodable} and the client carries on; a packet that is not a message at all
 * closes that client only (see {@link dev.tracereplay.server.SinkServer}).
 */
@FunctionalInterface
public interface TraceMessageHandler {

  /**
   * One message of this handler's client.
   *
   * @throws IOException to close this client (the reason is passed to {@link #onClose})
   */
  void onMessage(TraceMessage message) throws IOException;

  /**
   * The client has paused: it sent nothing for a moment (see {@link ClientHandler#onIdle}), not
   * merely emptied its queue between two packets. The moment to flush buffered work, so that an
   * idle client's output is complete.
   */
  default void onIdle() throws IOException {}

  /** The client is gone, and why; the last call this handler receives. */
  default void onClose(CloseReason reason) {}

  /** Creates the handler of each client that completes the handshake. */
  @FunctionalInterface
  interface Factory {
    /**
     * Called on the new client's thread after its handshake; throwing refuses the client.
     *
     * @see ClientHandlerFactory#newClient
     */
    TraceMessageHandler newClient(ClientInfo client) throws IOException;
  }

  /** The {@link ClientHandlerFactory} that gives each client a handler from {@code factory}. */
  static ClientHandlerFactory perClient(Factory factory) {
    Objects.requireNonNull(factory, "factory");
    return client -> new TraceMessageAdapter(Objects.requireNonNull(factory.newClient(client),
        "the TraceMessageHandler.Factory returned null for " + client));
  }
}
