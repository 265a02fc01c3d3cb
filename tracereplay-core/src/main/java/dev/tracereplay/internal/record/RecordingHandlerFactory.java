package dev.tracereplay.internal.record;

import dev.tracereplay.record.RecordingListener;
import dev.tracereplay.record.Recording;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.server.ClientHandler;
import dev.tracereplay.server.ClientHandlerFactory;
import dev.tracereplay.server.ClientInfo;
import dev.tracereplay.internal.server.DirectBufferPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records each client of a {@link dev.tracereplay.server.SinkServer} into a file of its own in a
 * {@link RecordingDirectory}: the handler behind {@link dev.tracereplay.TraceRecorder}, usable on
 * any server. Thread-safe.
 *
 * <p>What it holds follows the clients connected now, not the clients ever seen, so that a
 * recorder runs for months: a recording's handler and write buffer are let go when its client
 * closes (the buffer back to a pool, for the next client), and of the closed recordings only the
 * last {@value #CLOSED_KEPT} are listed by {@link #recordings()}; {@link #recordingsStarted()}
 * counts them all.
 */
public final class RecordingHandlerFactory implements ClientHandlerFactory {
  /** How many closed recordings {@link #recordings()} lists at most: the most recent ones. */
  public static final int CLOSED_KEPT = 1024;
  /** The largest write buffer per recording. */
  public static final int MAX_BUFFER_SIZE = 64 << 20;
  /** Returned write buffers kept for the next clients, beyond which they are let go. */
  static final int IDLE_BUFFERS = 16;

  private final RecordingDirectory directory;
  private final TraceConfig config;
  private final RecordingListener listener;
  private final long maxBytesPerRecording;
  private final DirectBufferPool<ByteBuffer> buffers;
  private final Map<Long, RecordingHandler> open = new ConcurrentHashMap<>();
  private final ArrayDeque<Recording> closed = new ArrayDeque<>();
  private long started;

  /**
   * @param config the config written into every file (its version is the server's handshake version)
   * @param maxBytesPerRecording the largest a file may grow; 0 for no limit
   * @param bufferSize each recording's write buffer, in bytes (see {@link #checkBufferSize})
   */
  public RecordingHandlerFactory(RecordingDirectory directory, TraceConfig config, RecordingListener listener,
      long maxBytesPerRecording, int bufferSize) {
    this(directory, config, listener, maxBytesPerRecording, DirectBufferPool.ofBuffers(checkBufferSize(bufferSize),
        IDLE_BUFFERS));
  }

  /** With the write buffers from this pool. */
  RecordingHandlerFactory(RecordingDirectory directory, TraceConfig config, RecordingListener listener,
      long maxBytesPerRecording, DirectBufferPool<ByteBuffer> buffers) {
    if (maxBytesPerRecording < 0) {
      throw new IllegalArgumentException("maxBytesPerRecording must not be negative, was " + maxBytesPerRecording);
    }
    this.directory = directory;
    this.config = config;
    this.listener = listener;
    this.maxBytesPerRecording = maxBytesPerRecording;
    this.buffers = buffers;
  }

  /**
   * Checks a recording's write buffer size.
   *
   * @return the size
   * @throws IllegalArgumentException unless {@value TraceFileWriter#MIN_BUFFER_SIZE} to
   *     {@value #MAX_BUFFER_SIZE} bytes
   */
  public static int checkBufferSize(int bytes) {
    if (bytes < TraceFileWriter.MIN_BUFFER_SIZE || bytes > MAX_BUFFER_SIZE) {
      throw new IllegalArgumentException("bufferSize must be " + TraceFileWriter.MIN_BUFFER_SIZE + " to "
          + MAX_BUFFER_SIZE + " bytes, was " + bytes);
    }
    return bytes;
  }

  /**
   * Takes a write buffer, then creates the client's file: a client that cannot have a buffer (no
   * direct memory left) is refused before it has a file.
   */
  @Override
  public ClientHandler newClient(ClientInfo client) throws IOException {
    ByteBuffer buffer = buffers.take();
    TraceFileWriter writer;
    try {
      writer = directory.createNext(config, buffer);
    } catch (IOException | RuntimeException | Error e) {
      buffers.give(buffer);
      throw e;
    }
    RecordingHandler handler = new RecordingHandler(client.id(), writer, buffer, listener,
        maxBytesPerRecording, this::closed);
    open.put(client.id(), handler);
    synchronized (this) {
      started++;
    }
    listener.clientConnected(handler.snapshot());
    return handler;
  }

  /** A handler's writer is closed: its buffer goes back, its snapshot to the bounded history. */
  private void closed(RecordingHandler handler, Recording recording) {
    buffers.give(handler.buffer());
    synchronized (this) {
      closed.addLast(recording);
      if (closed.size() > CLOSED_KEPT) {
        closed.removeFirst();
      }
    }
    open.remove(recording.clientId());
  }

  /**
   * The recordings open now and the last {@value #CLOSED_KEPT} closed, in the order the clients
   * connected.
   */
  public List<Recording> recordings() {
    List<Recording> all = new ArrayList<>();
    synchronized (this) {
      all.addAll(closed);
    }
    for (RecordingHandler handler : open.values()) {
      all.add(handler.snapshot());
    }
    // A recording closing meanwhile may be in both: its closed snapshot wins.
    all.sort(Comparator.comparingLong(Recording::clientId).thenComparing(r -> r.isOpen()));
    List<Recording> unique = new ArrayList<>(all.size());
    for (Recording recording : all) {
      if (unique.isEmpty() || unique.get(unique.size() - 1).clientId() != recording.clientId()) {
        unique.add(recording);
      }
    }
    return unique;
  }

  /** The recordings open now. */
  public int openRecordings() {
    return open.size();
  }

  /** The recordings started since the factory was made, closed ones included. */
  public synchronized long recordingsStarted() {
    return started;
  }

  /** Closed recordings kept for {@link #recordings()} now: at most {@value #CLOSED_KEPT}. */
  synchronized int closedKept() {
    return closed.size();
  }

  /** The write buffers, for tests. */
  DirectBufferPool<ByteBuffer> buffers() {
    return buffers;
  }
}
