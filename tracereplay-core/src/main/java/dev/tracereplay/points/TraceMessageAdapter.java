package dev.tracereplay.points;

import dev.tracereplay.server.ClientHandler;
import dev.tracereplay.server.CloseReason;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Adapts a {@link TraceMessageHandler} to the raw {@link ClientHandler} of a sink server. */
final class TraceMessageAdapter implements ClientHandler {
  private final TraceMessageHandler handler;
  private long messages;

  TraceMessageAdapter(TraceMessageHandler handler) {
    this.handler = handler;
  }

  @Override
  public void onMessage(ByteBuffer packet) throws IOException {
    // The server has checked the header, so wrapping cannot fail; the message is a view, no copy.
    handler.onMessage(TraceMessage.wrap(packet, ++messages));
  }

  @Override
  public void onIdle() throws IOException {
    handler.onIdle();
  }

  @Override
  public void onClose(CloseReason reason) {
    handler.onClose(reason);
  }
}
