package dev.tracereplay;

import java.io.IOException;

/**
 * A replay that could not be completed: no sink listening, a handshake that failed or timed out,
 * a sink that closed the connection or stopped reading. The message names the trace, the
 * endpoint and the message number reached; {@link #partialResult()} tells what was sent.
 */
public class ReplayException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient ReplayResult partialResult;

  public ReplayException(String message, ReplayResult partialResult, Throwable cause) {
    super(message, cause);
    this.partialResult = partialResult;
  }

  /**
   * What was sent before the failure (sent, not necessarily read by the sink); {@code null} when
   * it failed before the handshake ended.
   */
  public ReplayResult partialResult() {
    return partialResult;
  }
}
