package dev.tracereplay.channel;

import java.io.Closeable;
import java.io.IOException;

/**
 * The listening side of a {@link SeqPacketChannel} transport: hands out one channel per
 * connecting client. {@link #close()} may be called from any thread and makes a blocked
 * {@link #accept()} fail with {@link java.nio.channels.ClosedChannelException}.
 */
public interface SeqPacketListener extends Closeable {

  /**
   * Waits for the next client.
   *
   * @throws java.nio.channels.ClosedChannelException once this listener is closed
   */
  SeqPacketChannel accept() throws IOException;

  /** Where clients connect: the socket path, or a description of an in-memory listener. */
  String address();

  /** Stops accepting (and, for a socket, removes the socket file); calling it again does nothing. */
  @Override
  void close() throws IOException;
}
