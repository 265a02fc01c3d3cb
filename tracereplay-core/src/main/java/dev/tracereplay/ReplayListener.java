package dev.tracereplay;

/**
 * Follows a replay as it goes, e.g. to print gVisor's {@code Replaying message: N} progress.
 * Called on the replaying thread, once per message sent: keep it cheap.
 */
public interface ReplayListener {

  /** The sink answered the handshake with {@code sinkVersion}. */
  default void handshakeCompleted(int sinkVersion) {}

  /**
   * The {@code count}th message (from 1) was sent: a count of messages sent, which is the
   * message's position in the file only when nothing before it was left out or dropped.
   */
  default void messageSent(long count) {}
}
