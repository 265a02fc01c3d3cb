package dev.tracereplay.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.Fixtures;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.file.TruncatedTraceException;
import dev.tracereplay.points.common.ContextData;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceStatsTest {
  @TempDir Path dir;

  /** What {@code tracestat.py} prints for each fixture (gVisor's layout read by an independent reader). */
  @Test
  void shellCommonMatchesTheIndependentReader() throws Exception {
    TraceStats stats = TraceStats.of(Fixtures.copy("shell-common.trace", dir));

    assertThat(stats.version()).isEqualTo(1);
    assertThat(stats.messages()).isEqualTo(444);
    assertThat(stats.bytes()).isEqualTo(47137);
    assertThat(stats.droppedCount()).isZero();
    assertThat(stats.countsByType()).containsExactlyEntriesOf(counts(
        "1:1 2:3 3:3 4:3 5:4 7:210 8:140 9:36 11:6 16:8 18:8 19:8 34:14"));
    assertThat(stats.malformedRecords()).isZero();
    assertThat(stats.timedMessages()).isEqualTo(444);
    assertThat(stats.minTimeNs()).isEqualTo(1_795_660_244_034_833_431L);
    assertThat(stats.timeSpan()).hasValue(Duration.ofNanos(74_753_583));
  }

  @Test
  void loopAllMatchesTheIndependentReader() throws Exception {
    TraceStats stats = TraceStats.of(Fixtures.copy("loop-all.trace", dir));

    assertThat(stats.version()).isEqualTo(1);
    assertThat(stats.messages()).isEqualTo(2186);
    assertThat(stats.bytes()).isEqualTo(233583);
    assertThat(stats.droppedCount()).isZero();
    assertThat(stats.countsByType()).containsExactlyEntriesOf(counts(
        "1:1 2:5 3:5 4:5 5:6 6:1448 7:324 8:234 9:76 11:10 16:12 18:20 19:20 29:10 34:10"));
    assertThat(stats.count(MessageType.SYSCALL_RAW)).isEqualTo(1448);
    assertThat(stats.timeSpan()).hasValue(Duration.ofNanos(95_889_842));
  }

  @Test
  void trueStartMatchesTheIndependentReaderAndHasNoTime() throws Exception {
    TraceStats stats = TraceStats.of(Fixtures.copy("true-start.trace", dir));

    assertThat(stats.messages()).isEqualTo(1);
    assertThat(stats.bytes()).isEqualTo(81);
    assertThat(stats.countsByType()).containsExactlyEntriesOf(Map.of(1, 1L));
    assertThat(stats.timeSpan()).isEmpty();
    assertThat(stats.count(MessageType.SYSCALL_OPEN)).isZero();
  }

  @Test
  void renderShowsEveryFigure() throws Exception {
    Path file = Fixtures.copy("shell-common.trace", dir);

    assertThat(TraceStats.of(file).render()).isEqualTo(
        "file:          " + file + "\n"
            + "wire version:  1\n"
            + "messages:      444\n"
            + "bytes:         47137\n"
            + "dropped:       0\n"
            + "time span:     0.074753583 s (2026-11-26T02:30:44.034833431Z to 2026-11-26T02:30:44.109587014Z)\n"
            + "messages per type:\n"
            + "  CONTAINER_START (1)                        1\n"
            + "  SENTRY_CLONE (2)                           3\n"
            + "  SENTRY_EXEC (3)                            3\n"
            + "  SENTRY_EXIT_NOTIFY_PARENT (4)              3\n"
            + "  SENTRY_TASK_EXIT (5)                       4\n"
            + "  SYSCALL_OPEN (7)                         210\n"
            + "  SYSCALL_CLOSE (8)                        140\n"
            + "  SYSCALL_READ (9)                          36\n"
            + "  SYSCALL_EXECVE (11)                        6\n"
            + "  SYSCALL_PRLIMIT64 (16)                     8\n"
            + "  SYSCALL_FCNTL (18)                         8\n"
            + "  SYSCALL_DUP (19)                           8\n"
            + "  SYSCALL_WRITE (34)                        14\n");
  }

  @Test
  void renderSaysWhenThereIsNoTime() throws Exception {
    assertThat(TraceStats.of(Fixtures.copy("true-start.trace", dir)).render())
        .contains("time span:     unknown (no message carries context_data.time_ns: the session did not ask"
            + " for the time field)\n");
  }

  @Test
  void countsUnknownTypesMalformedRecordsAndTheLastDroppedCount() throws Exception {
    Path file = dir.resolve("mixed.trace");
    try (TraceFileWriter writer = TraceFileWriter.create(file, TraceConfig.CURRENT)) {
      writer.append(TracePoints.encode(timedOpen(500), 0));
      writer.append(Payloads.packet(8, 99, 3, new byte[] {1, 2, 3}));
      writer.append(ByteBuffer.wrap(new byte[] {8, 0, 7}));
      writer.append(TracePoints.encode(timedOpen(200), 5));
      writer.append(TracePoints.encode(Open.getDefaultInstance(), 6));
    }

    TraceStats stats = TraceStats.of(file);

    assertThat(stats.messages()).isEqualTo(5);
    assertThat(stats.malformedRecords()).isEqualTo(1);
    assertThat(stats.countsByType()).containsExactlyEntriesOf(counts("7:3 99:1"));
    assertThat(stats.droppedCount()).isEqualTo(6);
    assertThat(stats.timedMessages()).isEqualTo(2);
    assertThat(stats.minTimeNs()).isEqualTo(200);
    assertThat(stats.maxTimeNs()).isEqualTo(500);
    assertThat(stats.render())
        .contains("malformed:     1 records (not messages: shorter than a header or a bad header_size)\n")
        .contains("dropped:       6\n")
        .contains("time span:     0.000000300 s (1970-01-01T00:00:00.000000200Z to 1970-01-01T00:00:00.000000500Z)\n")
        .contains("  UNKNOWN(99) (99)                           1\n");
  }

  @Nested
  class Failures {
    @Test
    void aTruncatedFileIsReportedWithWhereItIsCut() throws Exception {
      Path file = Fixtures.copy("shell-common.trace", dir);
      try (var channel = Files.newByteChannel(file, StandardOpenOption.WRITE)) {
        channel.truncate(Files.size(file) - 3);
      }

      assertThatThrownBy(() -> TraceStats.of(file))
          .isInstanceOfSatisfying(TruncatedTraceException.class,
              e -> assertThat(e.completeRecords()).isEqualTo(443));
    }
  }

  static Open timedOpen(long timeNs) {
    return Open.newBuilder().setContextData(ContextData.newBuilder().setTimeNs(timeNs)).setSysno(2).build();
  }

  static Map<Integer, Long> counts(String tracestatTypes) {
    Map<Integer, Long> counts = new java.util.LinkedHashMap<>();
    for (String pair : tracestatTypes.split(" ")) {
      String[] parts = pair.split(":");
      counts.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
    }
    return counts;
  }
}
