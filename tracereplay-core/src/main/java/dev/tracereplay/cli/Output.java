package dev.tracereplay.cli;

import java.io.PrintWriter;

/**
 * Writes a command's output exactly as given (gVisor's lines end in "\n" and its counter in none,
 * whatever the platform) and flushes at once, so that a process reading the output, or a person,
 * sees each line when it happens.
 */
final class Output {

  private Output() {}

  static void print(PrintWriter writer, String text) {
    writer.print(text);
    writer.flush();
  }
}
