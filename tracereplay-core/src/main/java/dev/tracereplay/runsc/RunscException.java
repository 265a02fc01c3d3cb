package dev.tracereplay.runsc;

import java.io.IOException;

/**
 * runsc could not do what was asked: it is not installed, it failed to start the sandbox, the
 * sandbox never connected to its trace session's sink, or it ran past its timeout. The message
 * says which, with runsc's own last words (from its log and stderr) and what to do.
 */
public final class RunscException extends IOException {
  private static final long serialVersionUID = 1L;

  RunscException(String message) {
    super(message);
  }

  RunscException(String message, Throwable cause) {
    super(message, cause);
  }
}
