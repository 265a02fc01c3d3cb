package dev.tracereplay.record;

/**
 * Hears about recordings starting and ending, e.g. to print gVisor's "New client connected" and
 * "Closing client" lines. Called on the client's receiver thread: return quickly.
 */
public interface RecordingListener {

  /** A client completed its handshake and its file was created. */
  default void clientConnected(Recording recording) {}

  /** A client's recording was flushed and closed; {@link Recording#closeReason()} says why. */
  default void clientClosed(Recording recording) {}
}
