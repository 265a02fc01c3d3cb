package dev.tracereplay.wire;

import java.io.IOException;

/** A packet that is not a well-formed message: too short, or a header size it cannot hold. */
public class MalformedMessageException extends IOException {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String message) {
    super(message);
  }
}
