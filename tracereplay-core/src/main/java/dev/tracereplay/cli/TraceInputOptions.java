package dev.tracereplay.cli;

import dev.tracereplay.internal.file.TraceFormat;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of a subcommand that reads one trace file: {@code --in} and its record limit. */
final class TraceInputOptions {

  @Option(names = "--in", required = true, paramLabel = "FILE",
      description = "The trace file (tracereplay format, as written by save or gVisor's tool).")
  Path file;

  @Option(names = "--max-record-size", paramLabel = "BYTES", defaultValue = "1M",
      converter = OptionValues.Limit.class,
      description = "The largest record accepted (default: ${DEFAULT-VALUE}, gVisor's limit). A larger one"
          + " makes the file corrupt; raise it only for a trusted file of unusually large messages.")
  int maxRecordSize = TraceFormat.DEFAULT_MAX_RECORD_SIZE;

  /** The trace file; a directory is refused here, because reading one fails with a message naming no path. */
  Path trace() throws IOException {
    if (Files.isDirectory(file)) {
      throw new FileSystemException(file.toString(), null, "a directory, not a trace file");
    }
    return file;
  }
}
