package dev.tracereplay.bench.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tracereplay.bench.SyntheticTrace;
import dev.tracereplay.points.DecodeResult;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.wire.MessageHeader;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of looking into one received message (the benchmark's synthetic Open point): checking
 * its header as the sink server does for every packet, and decoding its payload with the
 * generated protobuf class, from a direct buffer as the server hands it to a handler, directly
 * and through the typed decoder of {@code dev.tracereplay.points} (its type-to-class table).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBenchmark {

  @Param({"64", "512"})
  int size;

  ByteBuffer packet;

  @Setup
  public void buildMessage() {
    packet = SyntheticTrace.message(size);
  }

  /** The per-packet header check of the sink server: no allocation expected. */
  @Benchmark
  public String checkHeader() {
    return MessageHeader.malformation(packet);
  }

  /** The header read into its record, as a handler that wants the fields does. */
  @Benchmark
  public MessageHeader readHeader() throws Exception {
    return MessageHeader.read(packet.duplicate());
  }

  /** The payload parsed into a {@code gvisor.syscall.Open}: what a typed handler pays per point. */
  @Benchmark
  public Open decodeOpen() throws InvalidProtocolBufferException {
    ByteBuffer payload = packet.duplicate();
    payload.position(MessageHeader.headerSize(packet, 0));
    return Open.parseFrom(payload);
  }

  /** The same through {@link TraceMessage#decode()}: the header checked, the type looked up, the payload parsed. */
  @Benchmark
  public DecodeResult decodeTyped() throws Exception {
    return TraceMessage.wrap(packet.duplicate(), 1).decode();
  }
}
