package dev.tracereplay.record;

import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.server.ClientHandler;
import dev.tracereplay.server.ClientHandlerFactory;
import dev.tracereplay.server.ClientInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records each client of a {@link dev.tracereplay.server.SinkServer} into a file of its own in a
 * {@link RecordingDirectory}: the handler behind {@link dev.tracereplay.TraceRecorder}, usable on
 * any server. Thread-safe.
 */
public final class RecordingHandlerFactory implements ClientHandlerFactory {
  private final RecordingDirectory directory;
  private final TraceConfig config;
  private final RecordingListener listener;
  private final long maxBytesPerRecording;
  private final int bufferSize;
  private final List<RecordingHandler> handlers = new CopyOnWriteArrayList<>();

  /**
   * @param config the config written into every file (its version is the server's handshake version)
   * @param maxBytesPerRecording the largest a file may grow; 0 for no limit
   * @param bufferSize each recording's write buffer, in bytes
   */
  public RecordingHandlerFactory(RecordingDirectory directory, TraceConfig config, RecordingListener listener,
      long maxBytesPerRecording, int bufferSize) {
    this.directory = directory;
    this.config = config;
    this.listener = listener;
    this.maxBytesPerRecording = maxBytesPerRecording;
    this.bufferSize = bufferSize;
  }

  @Override
  public ClientHandler newClient(ClientInfo client) throws java.io.IOException {
    TraceFileWriter writer = directory.createNext(config, bufferSize);
    RecordingHandler handler = new RecordingHandler(client.id(), writer, listener, maxBytesPerRecording);
    handlers.add(handler);
    listener.clientConnected(handler.snapshot());
    return handler;
  }

  /** Every recording started so far, in the order the clients connected. */
  public List<Recording> recordings() {
    List<Recording> all = new ArrayList<>(handlers.size());
    for (RecordingHandler handler : handlers) {
      all.add(handler.snapshot());
    }
    return all;
  }
}
