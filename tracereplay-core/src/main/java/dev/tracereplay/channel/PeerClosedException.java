package dev.tracereplay.channel;

import java.io.IOException;

/** A send failed because the peer has closed its end of the connection or stopped receiving. */
public class PeerClosedException extends IOException {
  private static final long serialVersionUID = 1L;

  public PeerClosedException(String message) {
    super(message);
  }

  public PeerClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
