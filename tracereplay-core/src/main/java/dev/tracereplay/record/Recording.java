package dev.tracereplay.record;

import dev.tracereplay.server.CloseReason;
import java.nio.file.Path;

/**
 * One client's recording, as a snapshot: its file, how much it holds, and, once the client is
 * gone, why it ended.
 *
 * @param clientId the client's connection number on the server, from 1
 * @param file the trace file
 * @param messages messages written so far
 * @param bytes the file's size once buffered messages are written
 * @param closeReason why the recording ended, or {@code null} while it is still open
 */
public record Recording(long clientId, Path file, long messages, long bytes, CloseReason closeReason) {

  /** Whether the client is still connected and being recorded. */
  public boolean isOpen() {
    return closeReason == null;
  }
}
