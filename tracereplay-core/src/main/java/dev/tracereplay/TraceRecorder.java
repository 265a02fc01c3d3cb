package dev.tracereplay;

import dev.tracereplay.channel.SeqPacketListener;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.record.Recording;
import dev.tracereplay.internal.record.RecordingDirectory;
import dev.tracereplay.internal.record.RecordingHandlerFactory;
import dev.tracereplay.record.RecordingListener;
import dev.tracereplay.server.ServerConfig;
import dev.tracereplay.server.SinkServer;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code save} server as a library: listens where runsc (or a replay) connects and records
 * every client into a file of its own, {@code <outDir>/<prefix><NNNN>}, in the tracereplay file
 * format, byte-compatible with gVisor's tool.
 *
 * <pre>{@code
 * try (TraceRecorder recorder = TraceRecorder.start(endpoint, outDir)) {
 *   // run runsc, or TraceReplayer.replay(trace, endpoint)
 *   recorder.awaitNoClients(Duration.ofSeconds(30));
 *   recorder.recordings();   // files and message counts
 * }
 * }</pre>
 *
 * <p>Guarantees: an existing recording is never overwritten (numbering continues after the
 * highest file already there); a client that sends a malformed packet is closed with a logged
 * reason and its file keeps every message received before, while other clients go on; a client
 * that disconnects during the handshake leaves no file; each recording is flushed whenever its
 * client pauses and closed cleanly by {@link #close()}. Thread-safe.
 */
public final class TraceRecorder implements AutoCloseable {
  private final SinkServer server;
  private final RecordingHandlerFactory recordings;
  private final RecordingDirectory directory;

  private TraceRecorder(SinkServer server, RecordingHandlerFactory recordings, RecordingDirectory directory) {
    this.server = server;
    this.recordings = recordings;
    this.directory = directory;
  }

  /** Starts recording clients of a new socket at {@code endpoint} into {@code outDir}, with defaults. */
  public static TraceRecorder start(Path endpoint, Path outDir) throws IOException {
    return builder(endpoint, outDir).start();
  }

  /** Starts configuring a recorder listening on a socket at {@code endpoint}. */
  public static Builder builder(Path endpoint, Path outDir) {
    return new Builder(outDir).endpoint(endpoint);
  }

  /** Starts configuring a recorder accepting clients from {@code listener} (e.g. an in-memory one). */
  public static Builder builder(SeqPacketListener listener, Path outDir) {
    return new Builder(outDir).listener(listener);
  }

  /** Where clients connect, for messages: the socket path, or the in-memory listener's name. */
  public String address() {
    return server.address();
  }

  /** The directory recordings go to. */
  public Path outputDirectory() {
    return directory.directory();
  }

  /** The number of clients connected now. */
  public int activeClients() {
    return server.activeClients();
  }

  /**
   * Waits until no client is connected; every recording that ended is then closed on disk.
   *
   * @return false when the timeout passed with clients still connected
   */
  public boolean awaitNoClients(Duration timeout) throws InterruptedException {
    return server.awaitNoClients(timeout);
  }

  /**
   * The recordings open now and the most recent closed ones (up to
   * {@value RecordingHandlerFactory#CLOSED_KEPT}), in the order the clients connected: a recorder
   * that runs for months holds what its clients connected now need, not every session it saw.
   */
  public List<Recording> recordings() {
    return recordings.recordings();
  }

  /** The recordings open now. */
  public int openRecordings() {
    return recordings.openRecordings();
  }

  /** The recordings started since the recorder started, closed ones included. */
  public long recordingsStarted() {
    return recordings.recordingsStarted();
  }

  /** The number of clients refused since the start (over a limit, a failed handshake, not admitted). */
  public long refusedClients() {
    return server.refusedClients();
  }

  /** The socket path clients connect to; empty for a recorder on a listener of its own. */
  public Optional<Path> endpoint() {
    return server.endpoint();
  }

  /** The server's settings. */
  public ServerConfig config() {
    return server.config();
  }

  /**
   * Why the recorder stopped accepting clients by itself, or empty while it accepts; see
   * {@link SinkServer#failure()}. Once set, nothing more will be recorded: stop and say so.
   */
  public Optional<Throwable> failure() {
    return server.failure();
  }

  /**
   * Stops accepting, receives what connected clients have already sent, and flushes and closes
   * every open recording. Calling it again does nothing.
   */
  @Override
  public void close() {
    server.close();
  }

  /**
   * Configures a {@link TraceRecorder}; every setting has gVisor's default or a safe one, and each
   * is checked where it is set ({@link IllegalArgumentException} naming its limits). The server's
   * settings are one {@link ServerConfig}, as {@link SinkServer.Builder}'s.
   */
  public static final class Builder {
    private final Path outDir;
    private Path endpoint;
    private SeqPacketListener source;
    private UnixSeqPacketListener.Options socketOptions = UnixSeqPacketListener.Options.defaults();
    private ServerConfig config = ServerConfig.defaults().withName("recorder");
    private String prefix = "client-";
    private RecordingListener listener = new RecordingListener() {};
    private long maxBytesPerRecording;
    private int bufferSize = TraceFileWriter.DEFAULT_BUFFER_SIZE;
    private Set<PosixFilePermission> fileMode = TraceFileWriter.OWNER_ONLY;
    private Consumer<Throwable> onFailure = failure -> { };

    private Builder(Path outDir) {
      this.outDir = Objects.requireNonNull(outDir, "outDir");
    }

    private Builder endpoint(Path endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    private Builder listener(SeqPacketListener source) {
      this.source = Objects.requireNonNull(source, "listener");
      return this;
    }

    /**
     * The file name prefix (default {@code client-}): files are {@code <prefix><NNNN>}.
     *
     * @throws IllegalArgumentException unless a plain file name part ({@link RecordingDirectory#prefixProblem})
     */
    public Builder prefix(String prefix) {
      String problem = RecordingDirectory.prefixProblem(Objects.requireNonNull(prefix, "prefix"));
      if (problem != null) {
        throw new IllegalArgumentException("the file name prefix " + problem);
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Each recording's permissions, whatever the umask (default {@code rw-------}, owner only); an
     * output directory created by the recorder is {@code rwx------}, with read and search for
     * group or others where they may read the recordings. Widen them on purpose only, e.g.
     * {@code rw-r-----} for a group of readers.
     *
     * @throws IllegalArgumentException unless the mode has owner read and write and no execute bits
     */
    public Builder fileMode(Set<PosixFilePermission> permissions) {
      this.fileMode = RecordingDirectory.checkFileMode(permissions);
      return this;
    }

    /** Hears about clients connecting and closing. */
    public Builder listener(RecordingListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Replaces the server's settings at once (its name included). */
    public Builder config(ServerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** The largest message accepted, in bytes (default 1 MiB); see {@link ServerConfig#withMaxMessageSize}. */
    public Builder maxMessageSize(int bytes) {
      config = config.withMaxMessageSize(bytes);
      return this;
    }

    /** How many clients may be recorded at once (default 256); see {@link ServerConfig#withMaxClients}. */
    public Builder maxClients(int clients) {
      config = config.withMaxClients(clients);
      return this;
    }

    /** How many clients may be in their handshake at once (default 128); see {@link ServerConfig}. */
    public Builder maxPendingHandshakes(int clients) {
      config = config.withMaxPendingHandshakes(clients);
      return this;
    }

    /**
     * The largest a recording may grow, in bytes; reaching it closes that client. 0: no limit.
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder maxBytesPerRecording(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxBytesPerRecording must not be negative, was " + bytes);
      }
      this.maxBytesPerRecording = bytes;
      return this;
    }

    /** Permissions and backlog of the socket file (default owner-only). */
    public Builder socketOptions(UnixSeqPacketListener.Options options) {
      this.socketOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** How long a new client may take to send its handshake (default 5 s); see {@link ServerConfig}. */
    public Builder handshakeTimeout(Duration timeout) {
      config = config.withHandshakeTimeout(timeout);
      return this;
    }

    /** How long {@link TraceRecorder#close()} lets clients drain (default 10 s); see {@link ServerConfig}. */
    public Builder closeGracePeriod(Duration period) {
      config = config.withCloseGracePeriod(period);
      return this;
    }

    /**
     * Each recording's write buffer (default 256 KiB).
     *
     * @throws IllegalArgumentException unless {@value TraceFileWriter#MIN_BUFFER_SIZE} to
     *     {@value RecordingHandlerFactory#MAX_BUFFER_SIZE} bytes
     */
    public Builder bufferSize(int bytes) {
      this.bufferSize = RecordingHandlerFactory.checkBufferSize(bytes);
      return this;
    }

    /** The version the recorder announces and writes in each file's config (default 1). */
    public Builder handshakeVersion(int version) {
      config = config.withHandshakeVersion(version);
      return this;
    }

    /**
     * Called once if the recorder stops accepting clients by itself (see {@link TraceRecorder#failure()}),
     * e.g. to stop the program that runs it.
     */
    public Builder onFailure(Consumer<Throwable> onFailure) {
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
      return this;
    }

    /**
     * Creates the output directory if needed, binds and starts accepting.
     *
     * @throws IOException when the directory cannot be created or the socket cannot be bound
     */
    public TraceRecorder start() throws IOException {
      RecordingDirectory directory = new RecordingDirectory(outDir, prefix, fileMode);
      RecordingHandlerFactory recordings = new RecordingHandlerFactory(directory,
          new TraceConfig(config.handshakeVersion()), listener, maxBytesPerRecording, bufferSize);
      SinkServer.Builder server = SinkServer.builder(recordings).config(config).onFailure(onFailure);
      if (source != null) {
        server.listener(source);
      } else {
        server.endpoint(endpoint).socketOptions(socketOptions);
      }
      return new TraceRecorder(server.start(), recordings, directory);
    }
  }
}
