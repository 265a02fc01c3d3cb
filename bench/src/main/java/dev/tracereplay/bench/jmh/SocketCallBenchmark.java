package dev.tracereplay.bench.jmh;

import dev.tracereplay.bench.SyntheticTrace;
import dev.tracereplay.channel.PacketBatch;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketListener;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a socket call costs from Java, without any thread switch: the system call plus the wrapper
 * around it (the JDK's FileChannel on JDK 17, or with {@code -Dtracereplay.foreign=false}; the FFM
 * downcall on JDK 22+). {@code ping} sends one 64-byte packet and receives it on the other end of a
 * connected pair, on the same thread (two calls, no wakeup). {@code pingBatch} does the same with
 * {@code batch} packets per call ({@link PacketBatch}: sendmmsg and recvmmsg on JDK 22+, one call
 * per packet before), so its time divided by {@code batch} is the cost per packet. Compare with the
 * same loops in C ({@code bench/c/callcost.c}) for the kernel's share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SocketCallBenchmark {
  Path directory;
  UnixSeqPacketListener listener;
  SeqPacketChannel client;
  SeqPacketChannel server;
  ByteBuffer message;
  ByteBuffer received;

  @Setup(Level.Trial)
  public void connect() throws IOException {
    directory = Files.createTempDirectory(Path.of("/tmp"), "trbench-jmh-");
    listener = UnixSeqPacketListener.bind(directory.resolve("s.sock"));
    client = UnixSeqPacketChannel.connect(directory.resolve("s.sock"));
    server = listener.accept();
    message = SyntheticTrace.message(64);
    received = ByteBuffer.allocateDirect(1 << 20);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    client.close();
    server.close();
    listener.close();
    Files.deleteIfExists(directory);
  }

  @Benchmark
  public int ping() throws IOException {
    message.clear();
    client.send(message);
    received.clear();
    return server.receive(received);
  }

  /** The batches of {@link #pingBatch}, {@code batch} packets each. */
  @State(Scope.Thread)
  public static class Batches {
    @Param({"16", "64"})
    int batch;

    PacketBatch toSend;
    PacketBatch toReceive;

    @Setup(Level.Trial)
    public void allocate() {
      toSend = new PacketBatch(batch, 64);
      toReceive = new PacketBatch(batch, 2048);
    }
  }

  @Benchmark
  public int pingBatch(Batches batches) throws IOException {
    PacketBatch toSend = batches.toSend;
    toSend.clear();
    message.clear();
    while (toSend.add(message)) {
      // as many copies as the batch holds
    }
    client.send(toSend);
    int packets = 0;
    while (packets < batches.batch) {
      packets += server.receive(batches.toReceive);
    }
    return packets;
  }
}
