package dev.tracereplay;

import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageReader;
import dev.tracereplay.runsc.Runsc;
import dev.tracereplay.runsc.Sandbox;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The runsc installed here, for tests that need a real sandbox: found as the library finds it
 * ({@link Runsc#locate()}). Without one such a test is skipped on a developer machine and fails
 * under {@code CI=true}, where .ci/run installs it.
 */
public final class InstalledRunsc {
  private InstalledRunsc() {}

  /** The runsc's path; skips the test, or fails it under CI=true, when there is none. */
  public static Path require() {
    Optional<Path> found = Runsc.locate();
    if (found.isEmpty()) {
      String message = "runsc is not installed (apt-get install -y runsc; .ci/run does it)";
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail(message + ": tests that need runsc must run under CI=true");
      }
      Assumptions.abort(message);
    }
    return found.get();
  }

  /** A sandbox of this runsc (see {@link #require()}), its output discarded. */
  public static Sandbox sandbox() {
    return Runsc.sandbox().runsc(require());
  }

  /** Every message of a recording it made, copied out of the reader. */
  public static List<TraceMessage> messagesOf(Path recording) throws IOException {
    List<TraceMessage> messages = new ArrayList<>();
    try (TraceMessageReader reader = TraceMessageReader.open(recording)) {
      for (TraceMessage message; (message = reader.next()) != null; ) {
        messages.add(message.copy());
      }
    }
    return messages;
  }
}
