package dev.tracereplay;

import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a replayer's records come from. A regular file is opened anew by each replay, so a
 * replayer replays it any number of times, also at once. Anything else (a FIFO, a pipe such as
 * {@code <(cat f)}, {@code /dev/stdin}) can be read only once: it is opened on first use, by
 * {@link #config} or the first replay, and that replay reads it to the end; another replay is
 * refused. Thread-safe.
 */
abstract sealed class TraceSource {
  final Path path;

  private TraceSource(Path path) {
    this.path = path;
  }

  /** The source of {@code trace}; a regular file's signature and config are checked now. */
  static TraceSource of(Path trace) throws IOException {
    if (!Files.isRegularFile(trace)) {
      return new ReadOnce(trace);
    }
    try (TraceFileReader reader = TraceFileReader.open(trace, TraceFileReader.DEFAULT_MAX_RECORD_SIZE)) {
      return new RegularFile(trace, reader.config());
    }
  }

  /** The file's config, read with this record limit if it is not yet read. */
  abstract TraceConfig config(int maxRecordSize) throws IOException;

  /** A reader positioned at the first record, for one replay; the caller closes it. */
  abstract TraceFileReader open(int maxRecordSize) throws IOException;

  /** Whether another reader may be opened, e.g. to look through the file before a replay. */
  abstract boolean isReopenable();

  private static final class RegularFile extends TraceSource {
    private final TraceConfig config;

    RegularFile(Path path, TraceConfig config) {
      super(path);
      this.config = config;
    }

    @Override
    TraceConfig config(int maxRecordSize) {
      return config;
    }

    @Override
    TraceFileReader open(int maxRecordSize) throws IOException {
      return TraceFileReader.open(path, maxRecordSize);
    }

    @Override
    boolean isReopenable() {
      return true;
    }
  }

  private static final class ReadOnce extends TraceSource {
    private TraceFileReader unused;
    private int openedWithLimit;
    private TraceConfig config;
    private boolean taken;

    ReadOnce(Path path) {
      super(path);
    }

    @Override
    synchronized TraceConfig config(int maxRecordSize) throws IOException {
      if (config == null) {
        unused = TraceFileReader.open(path, maxRecordSize);
        openedWithLimit = maxRecordSize;
        config = unused.config();
      }
      return config;
    }

    @Override
    synchronized TraceFileReader open(int maxRecordSize) throws IOException {
      if (taken) {
        throw new IllegalStateException(path + " is not a regular file (a pipe, a FIFO or a terminal): it can be"
            + " read once, and an earlier replay read it. Save it to a file to replay it again");
      }
      if (unused != null && openedWithLimit != maxRecordSize) {
        throw new IllegalStateException(path + " is not a regular file and its header was read with a record"
            + " limit of " + openedWithLimit + " bytes: set the limit (withMaxRecordSize) before asking for config()");
      }
      taken = true;
      TraceFileReader reader = unused != null ? unused : TraceFileReader.open(path, maxRecordSize);
      unused = null;
      config = reader.config();
      return reader;
    }

    @Override
    boolean isReopenable() {
      return false;
    }
  }
}
