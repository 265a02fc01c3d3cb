package dev.tracereplay;

/**
 * Follows a replay as it goes, e.g. to print gVisor's {@code Replaying message: N} progress.
 * Called on the replaying thread, once per message: keep it cheap.
 */
public interface ReplayListener {

  /** The sink answered the handshake with {@code sinkVersion}. */
  default void handshakeCompleted(int sinkVersion) {}

  /** Message {@code number} (from 1) was sent. */
  default void messageSent(long number) {}
}
