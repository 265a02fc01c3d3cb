package dev.tracereplay.file;

import java.nio.file.Path;

/** The JSON config after the signature is missing, too big, not JSON, or has no usable version. */
public final class BadConfigException extends TraceFileException {
  private static final long serialVersionUID = 1L;

  BadConfigException(Path file, long offset, String problem) {
    super(file, offset, 0, "bad config: " + problem,
        "The config must be a JSON object with a \"version\" of at least 1, e.g. {\"version\":1}.");
  }
}
