package dev.tracereplay.server;

import java.io.IOException;

/** Creates the {@link ClientHandler} for each client that completes the handshake. */
@FunctionalInterface
public interface ClientHandlerFactory {

  /**
   * Called on the new client's receiver thread after its handshake was read, before the server
   * answers it. Throwing refuses the client: it is closed and the reason logged; other clients
   * carry on.
   */
  ClientHandler newClient(ClientInfo client) throws IOException;
}
