package dev.tracereplay.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceFileReaderTest {
  @TempDir Path dir;

  private Path write(TraceFiles content) throws IOException {
    Path file = dir.resolve("trace-" + System.nanoTime());
    Files.write(file, content.bytes());
    return file;
  }

  @Test
  void readsTheConfigAndEveryRecordInOrder() throws IOException {
    Path file = write(TraceFiles.withHeader().record(TraceFiles.packet(3)).record(TraceFiles.packet(0)));

    try (TraceFileReader reader = TraceFileReader.open(file)) {
      assertThat(reader.config()).isEqualTo(new TraceConfig(1));
      assertThat(reader.next()).isTrue();
      assertThat(reader.recordNumber()).isEqualTo(1);
      assertThat(reader.recordOffset()).isEqualTo(16 + 8 + 13);
      assertThat(reader.record().remaining()).isEqualTo(11);
      assertThat(reader.next()).isTrue();
      assertThat(reader.record().remaining()).isEqualTo(8);
      assertThat(reader.next()).isFalse();
      assertThat(reader.endOffset()).isEqualTo(Files.size(file));
    }
  }

  @Test
  void refusesARecordLimitOutsideItsRangeSayingTheRange() throws IOException {
    Path file = write(TraceFiles.withHeader());
    for (int limit : new int[] {0, -1, Integer.MAX_VALUE - 63, Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> TraceFileReader.open(file, limit)).as("limit %s", limit)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxRecordSize must be between 1 and 2147483583 bytes, was " + limit);
    }
    TraceFileReader.open(file, Integer.MAX_VALUE - 64).close();
  }

  @Test
  void readsAnEmptyRecordAndAFileWithNoRecords() throws IOException {
    assertThat(TraceFiles.records(write(TraceFiles.withHeader()))).isEmpty();
    assertThat(TraceFiles.records(write(TraceFiles.withHeader().record(new byte[0])))).singleElement()
        .satisfies(record -> assertThat(record).isEmpty());
  }

  @Test
  void readsRecordsLargerThanItsBatchBufferUpToTheLimit() throws IOException {
    byte[] big = TraceFiles.packet(TraceFileReader.DEFAULT_MAX_RECORD_SIZE - 8);
    Path file = write(TraceFiles.withHeader().record(TraceFiles.packet(5)).record(big).record(TraceFiles.packet(1)));

    List<byte[]> records = TraceFiles.records(file);

    assertThat(records).hasSize(3);
    assertThat(records.get(1)).isEqualTo(big);
    assertThat(records.get(2)).isEqualTo(TraceFiles.packet(1));
  }

  @Test
  void readsManyRecordsAcrossBatchBoundaries() throws IOException {
    TraceFiles content = TraceFiles.withHeader();
    for (int i = 0; i < 20_000; i++) {
      content.record(TraceFiles.packet(i % 97));
    }
    List<byte[]> records = TraceFiles.records(write(content));

    assertThat(records).hasSize(20_000);
    for (int i = 0; i < records.size(); i++) {
      assertThat(records.get(i)).isEqualTo(TraceFiles.packet(i % 97));
    }
  }

  @Test
  void acceptsAnyJsonObjectWithAVersionAndIgnoresUnknownKeys() throws IOException {
    Path file = write(TraceFiles.withHeader(" { \"extra\": [1, {\"a\": null}, \"x\\u0041\"], \"version\" : 2 } "));

    try (TraceFileReader reader = TraceFileReader.open(file)) {
      assertThat(reader.config().version()).isEqualTo(2);
    }
  }

  @Test
  void readsTheRealRunscFixtures() throws IOException {
    assertThat(TraceFiles.records(dev.tracereplay.Fixtures.copy("true-start.trace", dir))).hasSize(1);
    assertThat(TraceFiles.records(dev.tracereplay.Fixtures.copy("shell-common.trace", dir))).hasSize(444);
    assertThat(TraceFiles.records(dev.tracereplay.Fixtures.copy("loop-all.trace", dir))).hasSize(2186);
  }

  @Nested
  class Rejects {

    @Test
    void aFileWithoutTheSignature() throws IOException {
      Path file = dir.resolve("not-a-trace");
      Files.writeString(file, "hello world, this is not a trace");

      assertThatThrownBy(() -> TraceFileReader.open(file))
          .isInstanceOf(BadSignatureException.class)
          .hasMessage(file + ": not a tracereplay file: expected the signature \"tracereplay file\" but found"
              + " \"hello world, thi\" (file header, byte offset 0). Pass a file written by 'tracereplay save'"
              + " or gVisor's tracereplay.")
          .satisfies(e -> assertThat(((TraceFileException) e).offset()).isZero());
    }

    @Test
    void aFileShorterThanTheSignature() throws IOException {
      Path file = dir.resolve("short");
      Files.write(file, new byte[] {'t', 'r', 0});

      assertThatThrownBy(() -> TraceFileReader.open(file))
          .isInstanceOf(BadSignatureException.class)
          .hasMessageContaining("a file of only 3 bytes");
    }

    @Test
    void aConfigThatIsNotJson() throws IOException {
      Path file = write(TraceFiles.withHeader("{version:1}"));

      assertThatThrownBy(() -> TraceFileReader.open(file))
          .isInstanceOf(BadConfigException.class)
          .hasMessageContaining("bad config: not valid JSON")
          .hasMessageContaining("(file header, byte offset 24)");
    }

    @Test
    void aConfigWithoutAVersion() throws IOException {
      Path file = write(TraceFiles.withHeader("{\"versions\":1}"));

      assertThatThrownBy(() -> TraceFileReader.open(file))
          .isInstanceOf(BadConfigException.class)
          .hasMessageContaining("no \"version\" key in '{\"versions\":1}'");
    }

    @Test
    void aConfigWithVersionZeroOrNotANumber() throws IOException {
      for (String json : List.of("{\"version\":0}", "{\"version\":\"1\"}", "{\"version\":1.5}", "[1]")) {
        Path file = write(TraceFiles.withHeader(json));
        assertThatThrownBy(() -> TraceFileReader.open(file)).as(json).isInstanceOf(BadConfigException.class);
      }
    }

    @Test
    void aConfigSizeOverTheLimit() throws IOException {
      TraceFiles content = TraceFiles.empty().raw("tracereplay file".getBytes()).sizePrefix(-1L);
      Path file = write(content);

      assertThatThrownBy(() -> TraceFileReader.open(file))
          .isInstanceOf(BadConfigException.class)
          .hasMessageContaining("config size 18446744073709551615 is over the limit of 1048576 bytes")
          .hasMessageContaining("byte offset 16");
    }

    @Test
    void aConfigSizePrefixCutShort() throws IOException {
      Path file = write(TraceFiles.empty().raw("tracereplay file".getBytes()).raw(new byte[] {13, 0, 0}));

      assertThatThrownBy(() -> TraceFileReader.open(file))
          .isInstanceOf(BadConfigException.class)
          .hasMessage(file + ": bad config: the file ends inside the config's size prefix (file header, byte offset"
              + " 16). The config must be a JSON object with a \"version\" of at least 1, e.g. {\"version\":1}.");
    }

    @Test
    void aConfigCutShort() throws IOException {
      byte[] whole = TraceFiles.withHeader().bytes();
      Path file = dir.resolve("cut");
      Files.write(file, Arrays.copyOf(whole, whole.length - 3));

      assertThatThrownBy(() -> TraceFileReader.open(file))
          .isInstanceOf(BadConfigException.class)
          .hasMessageContaining("the file ends inside the 13-byte config");
    }

    @Test
    void aRecordOverTheSizeLimitNamingItsOffsetAndNumber() throws IOException {
      TraceFiles content = TraceFiles.withHeader().record(TraceFiles.packet(1));
      int offset = content.size();
      content.sizePrefix(TraceFileReader.DEFAULT_MAX_RECORD_SIZE + 1L).raw(new byte[64]);
      Path file = write(content);

      try (TraceFileReader reader = TraceFileReader.open(file)) {
        assertThat(reader.next()).isTrue();
        assertThatThrownBy(reader::next)
            .isInstanceOfSatisfying(RecordTooLargeException.class, e -> {
              assertThat(e.recordNumber()).isEqualTo(2);
              assertThat(e.offset()).isEqualTo(offset);
              assertThat(e.size()).isEqualTo(TraceFileReader.DEFAULT_MAX_RECORD_SIZE + 1L);
            })
            .hasMessageContaining("record size 1048577 is over the limit of 1048576 bytes (record 2, byte offset "
                + offset + ")");
      }
    }

    @Test
    void aRecordOverAConfiguredLimit() throws IOException {
      Path file = write(TraceFiles.withHeader().record(TraceFiles.packet(100)));

      try (TraceFileReader reader = TraceFileReader.open(file, 64)) {
        assertThatThrownBy(reader::next).isInstanceOf(RecordTooLargeException.class)
            .hasMessageContaining("record size 108 is over the limit of 64 bytes (record 1,");
      }
    }

    @Test
    void aRecordCutShortSayingHowManyRecordsAreComplete() throws IOException {
      TraceFiles content = TraceFiles.withHeader().record(TraceFiles.packet(4)).record(TraceFiles.packet(4));
      int offset = content.size();
      content.sizePrefix(20).raw(new byte[7]);
      Path file = write(content);

      try (TraceFileReader reader = TraceFileReader.open(file)) {
        reader.next();
        reader.next();
        assertThatThrownBy(reader::next)
            .isInstanceOfSatisfying(TruncatedTraceException.class, e -> {
              assertThat(e.recordNumber()).isEqualTo(3);
              assertThat(e.completeRecords()).isEqualTo(2);
              assertThat(e.validLength()).isEqualTo(offset);
            })
            .hasMessage(file + ": truncated: the size prefix announces 20 bytes but only 7 follow (record 3,"
                + " byte offset " + offset + "). The recording was cut short; the 2 complete records before"
                + " this offset are valid ('tracereplay repair' keeps them).");
      }
    }

    @Test
    void aSizePrefixCutShort() throws IOException {
      TraceFiles content = TraceFiles.withHeader().record(TraceFiles.packet(4));
      int offset = content.size();
      content.raw(new byte[] {1, 0, 0});
      Path file = write(content);

      try (TraceFileReader reader = TraceFileReader.open(file)) {
        reader.next();
        assertThatThrownBy(reader::next)
            .isInstanceOf(TruncatedTraceException.class)
            .hasMessageContaining("the 8-byte size prefix is cut off after 3 bytes (record 2, byte offset "
                + offset + ")");
      }
    }
  }
}
