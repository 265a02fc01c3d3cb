package dev.tracereplay.internal.record;

import dev.tracereplay.record.RecordingListener;
import dev.tracereplay.record.Recording;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.internal.file.TraceFormat;
import dev.tracereplay.server.ClientHandler;
import dev.tracereplay.server.CloseReason;
import dev.tracereplay.server.LimitReachedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one client's messages to its trace file: buffered, flushed whenever the client pauses
 * (so an idle recording is complete on disk) and closed when the client goes.
 */
final class RecordingHandler implements ClientHandler {
  private static final Logger log = LoggerFactory.getLogger(RecordingHandler.class);

  private final long clientId;
  private final TraceFileWriter writer;
  private final RecordingListener listener;
  private final long maxBytes;
  private final BiConsumer<RecordingHandler, Recording> onClosed;
  private final ByteBuffer buffer;
  private volatile long messages;
  private volatile long bytes;
  private volatile CloseReason closeReason;

  /**
   * @param buffer the write buffer lent to the writer, given back through {@code onClosed} once
   *     the writer is closed
   * @param onClosed told once the writer is closed, before the listener
   */
  RecordingHandler(long clientId, TraceFileWriter writer, ByteBuffer buffer, RecordingListener listener,
      long maxBytes, BiConsumer<RecordingHandler, Recording> onClosed) {
    this.clientId = clientId;
    this.writer = writer;
    this.buffer = buffer;
    this.listener = listener;
    this.maxBytes = maxBytes;
    this.onClosed = onClosed;
    this.bytes = writer.size();
  }

  @Override
  public void onMessage(ByteBuffer packet) throws IOException {
    long size = writer.size() + TraceFormat.SIZE_PREFIX + packet.remaining();
    if (maxBytes > 0 && size > maxBytes) {
      throw new LimitReachedException(writer.file() + " reached its limit of " + maxBytes
          + " bytes (maxBytesPerRecording) after " + messages + " messages");
    }
    try {
      writer.append(packet);
    } catch (IOException e) {
      throw writeFailed(e);
    }
    messages = writer.recordCount();
    bytes = size;
  }

  @Override
  public void onIdle() throws IOException {
    try {
      writer.flush();
    } catch (IOException e) {
      throw writeFailed(e);
    }
  }

  /** A write failure that names the file and says what is kept (the writer cut the torn part). */
  private IOException writeFailed(IOException e) {
    return new IOException("writing " + writer.file() + " failed (" + e.getMessage() + "); the file keeps the "
        + writer.recordCount() + " messages written before and stays a valid trace", e);
  }

  @Override
  public void onClose(CloseReason reason) {
    try {
      writer.close();
    } catch (IOException e) {
      log.error("Closing the recording {} failed; it holds the messages written before: {}",
          writer.file(), e.toString());
    }
    messages = writer.recordCount();
    bytes = writer.size();
    closeReason = reason;
    Recording recording = snapshot();
    onClosed.accept(this, recording);
    listener.clientClosed(recording);
  }

  /** The write buffer lent to the writer: the owner's again once the writer is closed. */
  ByteBuffer buffer() {
    return buffer;
  }

  Recording snapshot() {
    return new Recording(clientId, writer.file(), messages, bytes, closeReason);
  }
}
