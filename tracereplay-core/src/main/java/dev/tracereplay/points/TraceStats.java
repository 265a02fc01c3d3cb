package dev.tracereplay.points;

import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Figures about one trace file, as {@code tracereplay stats} prints them: computed in one streaming
 * pass over the file that reads headers in place and the time straight from the payload bytes,
 * without decoding payloads.
 *
 * @param file the file
 * @param version the wire version in the file's config
 * @param messages the number of records (malformed ones included)
 * @param bytes the file's size
 * @param countsByType messages per header {@code message_type} number, in number order, unknown
 *     numbers included (malformed records, which have no type, are not)
 * @param malformedRecords records too short for a message header or with a bad {@code header_size}
 * @param droppedCount the {@code dropped_count} of the last message: how many points the sender
 *     dropped during the session (0 for a file without messages)
 * @param timedMessages messages whose payload carries {@code context_data.time_ns}
 * @param minTimeNs the smallest {@code time_ns} seen, 0 when {@code timedMessages} is 0
 * @param maxTimeNs the largest {@code time_ns} seen, 0 when {@code timedMessages} is 0
 */
public record TraceStats(Path file, int version, long messages, long bytes, SortedMap<Integer, Long> countsByType,
    long malformedRecords, long droppedCount, long timedMessages, long minTimeNs, long maxTimeNs) {

  public TraceStats {
    countsByType = Collections.unmodifiableSortedMap(new TreeMap<>(countsByType));
  }

  /**
   * Reads the whole file once.
   *
   * @throws dev.tracereplay.file.TraceFileException when the file is not a complete trace file
   * @throws IOException when it cannot be read
   */
  public static TraceStats of(Path file) throws IOException {
    return of(file, TraceFileReader.DEFAULT_MAX_RECORD_SIZE);
  }

  /** As {@link #of(Path)}, accepting records up to {@code maxRecordSize} bytes. */
  public static TraceStats of(Path file, int maxRecordSize) throws IOException {
    long[] counts = new long[0x10000];
    long messages = 0;
    long malformed = 0;
    long dropped = 0;
    long timed = 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    int version;
    try (TraceFileReader reader = TraceFileReader.open(file, maxRecordSize)) {
      version = reader.config().version();
      while (reader.next()) {
        messages++;
        ByteBuffer packet = reader.record();
        if (MessageHeader.malformation(packet) != null) {
          malformed++;
          continue;
        }
        int at = packet.position();
        counts[MessageHeader.messageType(packet, at)]++;
        dropped = MessageHeader.droppedCount(packet, at);
        long time = ContextTime.timeNs(packet, at + MessageHeader.headerSize(packet, at), packet.limit());
        if (time != ContextTime.NONE) {
          timed++;
          min = Math.min(min, time);
          max = Math.max(max, time);
        }
      }
    }
    SortedMap<Integer, Long> byType = new TreeMap<>();
    for (int type = 0; type < counts.length; type++) {
      if (counts[type] != 0) {
        byType.put(type, counts[type]);
      }
    }
    return new TraceStats(file, version, messages, Files.size(file), byType, malformed, dropped, timed,
        timed == 0 ? 0 : min, timed == 0 ? 0 : max);
  }

  /** The number of messages of {@code type}. */
  public long count(MessageType type) {
    return countsByType.getOrDefault(type.number(), 0L);
  }

  /** The time between the earliest and the latest {@code time_ns}; empty when no message has a time. */
  public Optional<Duration> timeSpan() {
    return timedMessages == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(maxTimeNs - minTimeNs));
  }

  /**
   * The figures as lines of text for people, each ending with {@code \n}, e.g.
   * <pre>
   * file:          shell-common.trace
   * wire version:  1
   * messages:      444
   * bytes:         47137
   * dropped:       0
   * time span:     0.073254121 s (2023-01-10T10:15:30.123456789Z to 2023-01-10T10:15:30.196710910Z)
   * messages per type:
   *   CONTAINER_START (1)              1
   *   ...
   * </pre>
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    line(out, "file:", file.toString());
    line(out, "wire version:", Integer.toUnsignedString(version));
    line(out, "messages:", Long.toString(messages));
    line(out, "bytes:", Long.toString(bytes));
    line(out, "dropped:", Long.toString(droppedCount));
    if (malformedRecords != 0) {
      line(out, "malformed:", malformedRecords + " records (not messages: shorter than a header or a bad header_size)");
    }
    line(out, "time span:", timedMessages == 0
        ? "unknown (no message carries context_data.time_ns: the session did not ask for the time field)"
        : seconds(maxTimeNs - minTimeNs) + " s (" + instant(minTimeNs) + " to " + instant(maxTimeNs) + ")");
    out.append("messages per type:\n");
    for (Map.Entry<Integer, Long> entry : countsByType.entrySet()) {
      String name = MessageType.nameOf(entry.getKey()) + " (" + entry.getKey() + ")";
      out.append("  ").append(name).append(" ".repeat(Math.max(1, 36 - name.length())))
          .append(String.format(Locale.ROOT, "%8d", entry.getValue())).append('\n');
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String label, String value) {
    out.append(label).append(" ".repeat(15 - label.length())).append(value).append('\n');
  }

  private static String seconds(long nanos) {
    return Long.toString(nanos / 1_000_000_000L) + '.' + String.format(Locale.ROOT, "%09d", nanos % 1_000_000_000L);
  }

  private static Instant instant(long timeNs) {
    return Instant.ofEpochSecond(Math.floorDiv(timeNs, 1_000_000_000L), Math.floorMod(timeNs, 1_000_000_000L));
  }
}
