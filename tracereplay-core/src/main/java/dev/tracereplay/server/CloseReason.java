package dev.tracereplay.server;

/**
 * Why a client's connection ended.
 *
 * @param kind the category
 * @param detail a sentence for logs and users
 * @param messages messages received from the client before the end
 * @param error the exception behind the end, or {@code null}
 */
public record CloseReason(Kind kind, String detail, long messages, Throwable error) {

  /** The categories of ending. */
  public enum Kind {
    /** The client closed its end: the normal end of a trace session. */
    PEER_CLOSED,
    /** The server was closed (what was queued had been received). */
    SERVER_CLOSED,
    /** The client sent a packet that is not a well-formed message, or one over the size limit. */
    MALFORMED,
    /** A limit of the server or handler was reached, e.g. the bytes allowed per recording. */
    LIMIT_REACHED,
    /** The handler failed, e.g. the disk filled up. */
    HANDLER_FAILED,
    /** Receiving from the socket failed. */
    RECEIVE_FAILED
  }

  /** Whether the session ended as sessions should: closed by the client, nothing refused. */
  public boolean isClean() {
    return kind == Kind.PEER_CLOSED;
  }

  @Override
  public String toString() {
    return kind + ": " + detail;
  }
}
