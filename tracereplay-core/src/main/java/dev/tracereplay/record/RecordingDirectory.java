package dev.tracereplay.record;

import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The directory recordings go to, and their names: {@code <prefix><NNNN>}, numbered from 0001 as
 * gVisor's tool does, but never reusing a name: numbering continues after the highest number
 * already in the directory, and each file is created exclusively, so a restarted or concurrent
 * recorder on the same directory never overwrites a recording. Thread-safe.
 */
public final class RecordingDirectory {
  private static final int MAX_ATTEMPTS = 10_000;

  private final Path directory;
  private final String prefix;
  private long lastNumber;

  /**
   * Creates the directory if needed and finds where numbering continues.
   *
   * @throws IllegalArgumentException when the prefix holds a path separator or is "." or ".."
   */
  public RecordingDirectory(Path directory, String prefix) throws IOException {
    if (prefix.contains("/") || prefix.contains("\0") || prefix.equals(".") || prefix.equals("..")) {
      throw new IllegalArgumentException("the file prefix must be a plain file name part, was '" + prefix + "'");
    }
    this.directory = directory;
    this.prefix = prefix;
    Files.createDirectories(directory);
    this.lastNumber = highestNumber();
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /** The file name prefix. */
  public String prefix() {
    return prefix;
  }

  /**
   * Creates the next recording file, exclusively, and writes its header.
   *
   * @throws IOException when the directory is not writable or full (the message names the path)
   */
  public TraceFileWriter createNext(TraceConfig config, int bufferSize) throws IOException {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Path file = directory.resolve(String.format("%s%04d", prefix, nextNumber()));
      try {
        return TraceFileWriter.create(file, config, bufferSize);
      } catch (FileAlreadyExistsException taken) {
        // Another recorder (or anything else) got there first: try the next number.
      }
    }
    throw new IOException("could not find a free recording name in " + directory + " after "
        + MAX_ATTEMPTS + " attempts");
  }

  private synchronized long nextNumber() {
    return ++lastNumber;
  }

  private long highestNumber() throws IOException {
    long highest = 0;
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.startsWith(prefix)) {
          highest = Math.max(highest, number(name.substring(prefix.length())));
        }
      }
    }
    return highest;
  }

  /** The number a name ends with, or 0 when the rest of the name is not all digits. */
  private static long number(String digits) {
    if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
      return 0;
    }
    return Long.parseLong(digits);
  }
}
