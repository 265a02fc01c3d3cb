package dev.tracereplay.file;

import java.nio.file.Path;

/** The file does not start with the 16 bytes {@code tracereplay file}: it is not a trace file. */
public final class BadSignatureException extends TraceFileException {
  private static final long serialVersionUID = 1L;

  BadSignatureException(Path file, String found) {
    super(file, 0, 0,
        "not a tracereplay file: expected the signature \"tracereplay file\" but found " + found,
        "Pass a file written by 'tracereplay save' or gVisor's tracereplay.");
  }
}
