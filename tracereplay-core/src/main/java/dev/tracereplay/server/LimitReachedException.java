package dev.tracereplay.server;

import java.io.IOException;

/**
 * Thrown by a {@link ClientHandler} to close its client because a limit was reached (for example
 * the bytes allowed per recording); the client ends with {@link CloseReason.Kind#LIMIT_REACHED}.
 */
public class LimitReachedException extends IOException {
  private static final long serialVersionUID = 1L;

  public LimitReachedException(String message) {
    super(message);
  }
}
