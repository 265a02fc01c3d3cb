package dev.tracereplay.points;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fixtures;
import dev.tracereplay.wire.MessageType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every message of the real runsc recordings decodes, and agrees with the stats of the same file. */
class FixtureDecodingTest {
  static final List<String> FIXTURES = Fixtures.ALL;

  @TempDir Path dir;

  @ParameterizedTest
  @FieldSource("FIXTURES")
  void everyMessageDecodesAndTheCountsPerTypeMatchStats(String fixture) throws Exception {
    Path file = Fixtures.copy(fixture, dir);
    List<String> failures = new ArrayList<>();
    SortedMap<Integer, Long> decodedPerType = new TreeMap<>();
    long messages = 0;

    try (TraceMessageReader reader = TraceMessageReader.open(file)) {
      for (TraceMessage message; (message = reader.next()) != null; ) {
        messages++;
        DecodeResult result = message.decode();
        if (result instanceof DecodeResult.Decoded decoded) {
          assertThat(decoded.message()).isInstanceOf(TracePoints.payloadClass(message.type()));
          decodedPerType.merge(message.messageType(), 1L, Long::sum);
        } else {
          failures.add(message.where() + ": " + result);
        }
      }
    }

    assertThat(failures).isEmpty();
    TraceStats stats = TraceStats.of(file);
    assertThat(decodedPerType).isEqualTo(stats.countsByType());
    assertThat(messages).isEqualTo(stats.messages());
  }

  @ParameterizedTest
  @FieldSource("FIXTURES")
  void everySyscallEnterOfTheFixturesHasItsExit(String fixture) throws Exception {
    // The exit field tells X from E; these recordings enable both points of each syscall.
    Path file = Fixtures.copy(fixture, dir);
    SortedMap<String, Integer> balance = new TreeMap<>();
    try (TraceMessageReader reader = TraceMessageReader.open(file)) {
      for (TraceMessage message; (message = reader.next()) != null; ) {
        if (message.type().kind() == MessageType.Kind.SYSCALL) {
          String line = TracePrinter.textLine(message);
          assertThat(line).startsWith((line.startsWith("X ") ? "X " : "E ") + message.type().payloadName() + " ");
          balance.merge(message.type().payloadName(), line.startsWith("E ") ? 1 : -1, Integer::sum);
        }
      }
    }
    assertThat(balance).allSatisfy((name, enterMinusExit) -> assertThat(enterMinusExit).as(name).isZero());
  }
}
