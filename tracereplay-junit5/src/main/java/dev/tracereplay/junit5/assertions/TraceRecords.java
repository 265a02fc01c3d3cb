package dev.tracereplay.junit5.assertions;

import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageReader;
import dev.tracereplay.points.TracePrinter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Predicate;

/** Messages of trace files as failure messages show them: where, then decoded. */
final class TraceRecords {
  private TraceRecords() {}

  /** E.g. {@code record 3 (byte offset 120): E Open context_data { ... }}. */
  static String describe(TraceMessage message) {
    return message.where() + ": " + TracePrinter.textLine(message);
  }

  /**
   * Record {@code number} of {@code trace}, decoded, reading the file up to it; a sentence saying
   * why when it cannot be shown.
   */
  static String describe(Path trace, long number) {
    try {
      TraceMessage message = first(trace, candidate -> candidate.number() == number);
      return message != null ? describe(message)
          : "record " + number + ": not a message (malformed, or beyond the end of the trace)";
    } catch (IOException e) {
      return "record " + number + ": cannot be read: " + e.getMessage();
    }
  }

  /**
   * The first message of {@code trace} that {@code test} accepts, as a copy, or {@code null};
   * streams the file up to it, passing over malformed records.
   *
   * @throws IOException when the file is not a readable trace
   */
  static TraceMessage first(Path trace, Predicate<TraceMessage> test) throws IOException {
    try (TraceMessageReader reader = TraceMessageReader.open(trace)) {
      TraceMessage[] found = {null};
      reader.forEach(message -> {
        found[0] = test.test(message) ? message.copy() : null;
        return found[0] == null;
      }, passedOver -> { });
      return found[0];
    }
  }
}
