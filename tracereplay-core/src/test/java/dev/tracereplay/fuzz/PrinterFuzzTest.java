package dev.tracereplay.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TracePrinter;
import dev.tracereplay.wire.MalformedMessageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary packets through {@link TracePrinter}, as {@code tracereplay print} and
 * {@code PrintingSink} print them: whatever the payload, each message is one line in each format
 * (a dropped-count notice may come before it), and nothing is thrown.
 */
@Timeout(10)
class PrinterFuzzTest {

  @FuzzTest
  void anyPacketPrintsAsOneLine(byte[] packet) throws IOException {
    TraceMessage message;
    try {
      message = TraceMessage.wrap(ByteBuffer.wrap(packet), 1);
    } catch (MalformedMessageException malformed) {
      return;   // a receiver closes such a client; a file reader reports the record (see TracePrinterTest)
    }
    for (TracePrinter.Format format : TracePrinter.Format.values()) {
      StringBuilder out = new StringBuilder();
      assertThat(TracePrinter.builder().format(format).build(out).print(message)).isTrue();

      String lines = out.toString();
      assertThat(lines).endsWith("\n");
      String last = lines.substring(lines.lastIndexOf('\n', lines.length() - 2) + 1, lines.length() - 1);
      assertThat(last).doesNotContain("\n");
      if (format == TracePrinter.Format.JSON) {
        assertThat(lines).as("one JSON line").startsWith("{\"number\":1,").endsWith("}\n")
            .doesNotContain("}\n{");
      } else {
        assertThat(lines.split("\n", -1)).as("a notice at most, then the message's line").hasSizeBetween(2, 3);
      }
    }
  }
}
