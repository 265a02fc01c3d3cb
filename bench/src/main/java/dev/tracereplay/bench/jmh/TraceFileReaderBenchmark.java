package dev.tracereplay.bench.jmh;

import dev.tracereplay.bench.SyntheticTrace;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.wire.MessageHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast {@link TraceFileReader} streams records out of a trace file that is in the page cache
 * (the replay's file side, without the socket): one operation is one record, checked and handed
 * out as a view, with its header's type read as a replay does. Run with {@code -prof gc} to see
 * that reading allocates nothing per record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TraceFileReaderBenchmark {
  static final int RECORDS = 200_000;

  @Param({"64", "512"})
  int size;

  Path directory;
  Path trace;

  @Setup(Level.Trial)
  public void writeTrace() throws IOException {
    directory = Files.createTempDirectory("trbench-jmh-");
    trace = directory.resolve("trace");
    SyntheticTrace.write(trace, RECORDS, size);
  }

  @TearDown(Level.Trial)
  public void deleteTrace() throws IOException {
    Files.deleteIfExists(trace);
    Files.deleteIfExists(directory);
  }

  /** Every record of the file, as the replayer reads it. */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long readRecords() throws IOException {
    long types = 0;
    try (TraceFileReader reader = TraceFileReader.open(trace)) {
      while (reader.next()) {
        ByteBuffer record = reader.record();
        types += MessageHeader.messageType(record, record.position()) + record.remaining();
      }
    }
    return types;
  }
}
