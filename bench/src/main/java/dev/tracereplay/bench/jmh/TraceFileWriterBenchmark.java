package dev.tracereplay.bench.jmh;

import dev.tracereplay.bench.SyntheticTrace;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
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
 * How fast {@link TraceFileWriter} appends records (the save's file side, without the socket):
 * one operation is one record appended; each invocation writes a whole new file of
 * {@value #RECORDS} records into the page cache and closes it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TraceFileWriterBenchmark {
  static final int RECORDS = 200_000;

  @Param({"64", "512"})
  int size;

  Path directory;
  Path trace;
  ByteBuffer message;

  @Setup(Level.Trial)
  public void prepare() throws IOException {
    directory = Files.createTempDirectory("trbench-jmh-");
    trace = directory.resolve("trace");
    message = SyntheticTrace.message(size);
  }

  @TearDown(Level.Invocation)
  public void deleteTrace() throws IOException {
    Files.deleteIfExists(trace);
  }

  @TearDown(Level.Trial)
  public void deleteDirectory() throws IOException {
    Files.deleteIfExists(directory);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long appendRecords() throws IOException {
    try (TraceFileWriter writer = TraceFileWriter.create(trace, TraceConfig.CURRENT)) {
      for (int i = 0; i < RECORDS; i++) {
        message.clear();
        writer.append(message);
      }
      return writer.size();
    }
  }
}
