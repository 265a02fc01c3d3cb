package dev.tracereplay.internal.wire;

import java.io.IOException;

/** The peer's handshake could not be read or announced a version this side does not support. */
public class HandshakeException extends IOException {
  private static final long serialVersionUID = 1L;

  public HandshakeException(String message) {
    super(message);
  }

  public HandshakeException(String message, Throwable cause) {
    super(message, cause);
  }
}
