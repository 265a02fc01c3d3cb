package dev.tracereplay.bench;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceRecorder;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.record.Recording;
import dev.tracereplay.record.RecordingListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The measured cases: replay (trace file to a draining sink) and save (a sender to a trace file),
 * each with the Java side against the Java side, against the C peer, and C against C, over real
 * AF_UNIX SOCK_SEQPACKET sockets. Every case checks its outcome (every message received and equal
 * to the one sent; every recorded file byte-identical to the generated trace) before its figures
 * count.
 *
 * <p>Timing, the same for Java and C: a sink counts from its handshake answer to the end of
 * stream (as {@code seqsink}); a saver from the start of the recording to its file closed (as
 * {@code seqsave}).
 */
final class Scenarios {
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  /** One case, run once per call. */
  record Scenario(String mode, String name, boolean needsPeers, Runner runner) {}

  /** Runs a case once. */
  interface Runner {
    Sample run(Scenarios scenarios, Workload workload) throws IOException, InterruptedException;
  }

  /**
   * What one run sends: a trace of {@code messages} copies of {@code message}; the Java sender
   * sends at most {@code pace} messages per second (0: as fast as it can).
   */
  record Workload(Path trace, ByteBuffer message, long messages, long pace) {
    int size() {
      return message.remaining();
    }
  }

  /** Packets per call of the C batching peers (seqsendmm, seqsinkmm). */
  static final int C_BATCH = 64;

  static final List<Scenario> REPLAY = List.of(
      new Scenario("replay", "java TraceReplayer -> java sink", false, Scenarios::replayJavaToJava),
      new Scenario("replay", "java TraceReplayer -> C seqsink", true, Scenarios::replayJavaToC),
      new Scenario("replay", "C seqsend -> java sink", true, Scenarios::replayCToJava),
      new Scenario("replay", "C seqsend -> C seqsink", true, Scenarios::replayCToC),
      new Scenario("replay", "C seqsendmm -> C seqsink", true, Scenarios::replayBatchedCToC));

  static final List<Scenario> SAVE = List.of(
      new Scenario("save", "java sender -> java TraceRecorder", false, Scenarios::saveJavaToJava),
      new Scenario("save", "C seqsend -> java TraceRecorder", true, Scenarios::saveCToJava),
      new Scenario("save", "java sender -> C seqsave", true, Scenarios::saveJavaToC),
      new Scenario("save", "C seqsend -> C seqsave", true, Scenarios::saveCToC),
      new Scenario("save", "C seqsend -> C seqsinkmm", true, Scenarios::receiveBatchedCToC));

  private final Path work;
  private final CPeers peers;
  private final AtomicInteger runs = new AtomicInteger();

  Scenarios(Path work, CPeers peers) {
    this.work = work;
    this.peers = peers;
  }

  private Sample replayJavaToJava(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    JvmMemory.resetPeakHeap();
    try (DrainingSink sink = DrainingSink.start(endpoint, load.message())) {
      JvmMemory.Reading before = JvmMemory.now();
      ReplayResult replayed = TraceReplayer.replay(load.trace(), endpoint);
      JvmMemory.ThreadCost replayer = before.untilNow();
      DrainingSink.Result received = sink.await(TIMEOUT);
      check(replayed.messagesSent() == load.messages(), "the replayer sent " + replayed.messagesSent() + " messages");
      checkReceived(received, load);
      return new Sample("replay", load.size(), "", load.messages(), received.nanos(),
          threads("replayer", replayer, "sink", received.cost()), JvmMemory.peakHeapBytes());
    }
  }

  private Sample replayJavaToC(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    JvmMemory.resetPeakHeap();
    try (CPeers.RunningPeer sink = peers.sink(endpoint)) {
      JvmMemory.Reading before = JvmMemory.now();
      ReplayResult replayed = TraceReplayer.replay(load.trace(), endpoint);
      JvmMemory.ThreadCost replayer = before.untilNow();
      Map<String, String> figures = sink.nextFigures();
      JvmMemory.ThreadCost seqsink = cCost(sink.cpuNanos());
      check(replayed.messagesSent() == load.messages(), "the replayer sent " + replayed.messagesSent() + " messages");
      checkCount(figures, "count", load, "seqsink");
      check(Long.parseLong(figures.get("bad_hdr")) == 0, "seqsink saw bad headers: " + figures);
      return new Sample("replay", load.size(), "", load.messages(), nanos(figures.get("elapsed_s")),
          threads("replayer", replayer, "C seqsink", seqsink), JvmMemory.peakHeapBytes());
    }
  }

  private Sample replayCToJava(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    JvmMemory.resetPeakHeap();
    try (DrainingSink sink = DrainingSink.start(endpoint, load.message())) {
      Map<String, String> sent = peers.send(endpoint, load.messages(), load.size());
      DrainingSink.Result received = sink.await(TIMEOUT);
      checkReceived(received, load);
      return new Sample("replay", load.size(), "", load.messages(), received.nanos(),
          threads("C seqsend", sendCost(sent), "sink", received.cost()), JvmMemory.peakHeapBytes());
    }
  }

  private Sample replayCToC(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    try (CPeers.RunningPeer sink = peers.sink(endpoint)) {
      return cToC("replay", load, "C seqsend", peers.send(endpoint, load.messages(), load.size()), sink, "seqsink");
    }
  }

  /** The sending side's batching limit: seqsendmm, {@link #C_BATCH} packets per sendmmsg(), into seqsink. */
  private Sample replayBatchedCToC(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    try (CPeers.RunningPeer sink = peers.sink(endpoint)) {
      Map<String, String> sent = peers.sendBatched(endpoint, load.messages(), load.size(), C_BATCH);
      return cToC("replay", load, "C seqsendmm", sent, sink, "seqsink");
    }
  }

  /**
   * The receiving side's batching limit: seqsend into seqsinkmm, {@link #C_BATCH} packets per
   * recvmmsg(). It writes no file, so it is a limit for the saver's receiving, not for its disk.
   */
  private Sample receiveBatchedCToC(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    try (CPeers.RunningPeer sink = peers.batchedSink(endpoint, C_BATCH)) {
      return cToC("save", load, "C seqsend", peers.send(endpoint, load.messages(), load.size()), sink, "seqsinkmm");
    }
  }

  /** A C sender's run into a running C sink: checked and timed by the sink's figures. */
  private static Sample cToC(String mode, Workload load, String sender, Map<String, String> sent,
      CPeers.RunningPeer sink, String sinkName) throws IOException {
    Map<String, String> figures = sink.nextFigures();
    JvmMemory.ThreadCost sinkCost = cCost(sink.cpuNanos());
    checkCount(figures, "count", load, sinkName);
    return new Sample(mode, load.size(), "", load.messages(), nanos(figures.get("elapsed_s")),
        threads(sender, sendCost(sent), "C " + sinkName, sinkCost), -1);
  }

  private Sample saveJavaToJava(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    Path out = work.resolve("recorded-" + runs.get());
    RecorderClock clock = new RecorderClock();
    JvmMemory.resetPeakHeap();
    PacketSender.Result sent;
    Path recorded;
    try (TraceRecorder recorder = TraceRecorder.builder(endpoint, out).listener(clock).start()) {
      sent = PacketSender.send(endpoint, load.message(), load.messages(), load.pace());
      clock.awaitClosed();
      recorded = recorder.recordings().get(0).file();
    }
    long peakHeap = JvmMemory.peakHeapBytes();
    checkIdentical(recorded, load);
    return new Sample("save", load.size(), "", load.messages(), clock.nanos(),
        threads("sender", sent.cost(), "recorder", clock.cost()), peakHeap);
  }

  private Sample saveCToJava(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    Path out = work.resolve("recorded-" + runs.get());
    RecorderClock clock = new RecorderClock();
    JvmMemory.resetPeakHeap();
    Path recorded;
    Map<String, String> sent;
    try (TraceRecorder recorder = TraceRecorder.builder(endpoint, out).listener(clock).start()) {
      sent = peers.send(endpoint, load.messages(), load.size());
      clock.awaitClosed();
      recorded = recorder.recordings().get(0).file();
    }
    long peakHeap = JvmMemory.peakHeapBytes();
    checkIdentical(recorded, load);
    return new Sample("save", load.size(), "", load.messages(), clock.nanos(),
        threads("C seqsend", sendCost(sent), "recorder", clock.cost()), peakHeap);
  }

  private Sample saveJavaToC(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    Path recorded = work.resolve("recorded-" + runs.get());
    JvmMemory.resetPeakHeap();
    PacketSender.Result sent;
    Map<String, String> figures;
    JvmMemory.ThreadCost seqsave;
    try (CPeers.RunningPeer save = peers.save(endpoint, recorded)) {
      sent = PacketSender.send(endpoint, load.message(), load.messages(), load.pace());
      figures = save.nextFigures();
      seqsave = cCost(save.cpuNanos());
    }
    long peakHeap = JvmMemory.peakHeapBytes();
    checkCount(figures, "saved", load, "seqsave");
    checkIdentical(recorded, load);
    return new Sample("save", load.size(), "", load.messages(), nanos(figures.get("elapsed_s")),
        threads("sender", sent.cost(), "C seqsave", seqsave), peakHeap);
  }

  private Sample saveCToC(Workload load) throws IOException, InterruptedException {
    Path endpoint = endpoint();
    Path recorded = work.resolve("recorded-" + runs.get());
    Map<String, String> figures;
    Map<String, String> sent;
    JvmMemory.ThreadCost seqsave;
    try (CPeers.RunningPeer save = peers.save(endpoint, recorded)) {
      sent = peers.send(endpoint, load.messages(), load.size());
      figures = save.nextFigures();
      seqsave = cCost(save.cpuNanos());
    }
    checkCount(figures, "saved", load, "seqsave");
    checkIdentical(recorded, load);
    return new Sample("save", load.size(), "", load.messages(), nanos(figures.get("elapsed_s")),
        threads("C seqsend", sendCost(sent), "C seqsave", seqsave), -1);
  }

  /** A fresh socket path for each run: the C peers unlink theirs, the Java listeners refuse a live one. */
  private Path endpoint() {
    return work.resolve("s" + runs.incrementAndGet() + ".sock");
  }

  /** The recorded file must be the generated trace, byte for byte; it is deleted once checked. */
  private static void checkIdentical(Path recorded, Workload load) throws IOException {
    long mismatch = Files.mismatch(recorded, load.trace());
    check(mismatch == -1, recorded + " differs from the generated trace " + load.trace() + " at byte " + mismatch);
    Files.delete(recorded);
    Path directory = recorded.getParent();
    if (directory.getFileName().toString().startsWith("recorded-")) {
      Files.delete(directory);
    }
  }

  private static void checkReceived(DrainingSink.Result received, Workload load) {
    check(received.messages() == load.messages() && received.bytes() == load.messages() * load.size(),
        "the sink received " + received.messages() + " messages, " + received.bytes() + " bytes");
    check(received.mismatched() == 0, received.mismatched() + " received messages differ from the one sent");
  }

  private static void checkCount(Map<String, String> figures, String key, Workload load, String peer) {
    check(Long.parseLong(figures.getOrDefault(key, "-1")) == load.messages(), peer + " reported " + figures);
  }

  private static void check(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalStateException("benchmark run invalid: " + problem);
    }
  }

  /** A C peer's cost: its CPU time; allocation does not apply (-1). */
  private static JvmMemory.ThreadCost cCost(long cpuNanos) {
    return new JvmMemory.ThreadCost(-1, cpuNanos);
  }

  private static JvmMemory.ThreadCost sendCost(Map<String, String> seqsendFigures) {
    return cCost(Long.parseLong(seqsendFigures.get("cpu_ns")));
  }

  private static long nanos(String seconds) {
    return Math.round(Double.parseDouble(seconds) * 1e9);
  }

  private static Map<String, JvmMemory.ThreadCost> threads(Object... labelsAndCosts) {
    Map<String, JvmMemory.ThreadCost> threads = new LinkedHashMap<>();
    for (int i = 0; i < labelsAndCosts.length; i += 2) {
      threads.put((String) labelsAndCosts[i], (JvmMemory.ThreadCost) labelsAndCosts[i + 1]);
    }
    return threads;
  }

  /** Times a recording and counts its receiving thread's allocations, from the listener's calls on that thread. */
  private static final class RecorderClock implements RecordingListener {
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile long start;
    private volatile long end;
    private volatile JvmMemory.Reading atStart;
    private volatile JvmMemory.ThreadCost cost;

    @Override
    public void clientConnected(Recording recording) {
      atStart = JvmMemory.now();
      start = System.nanoTime();
    }

    @Override
    public void clientClosed(Recording recording) {
      end = System.nanoTime();
      cost = atStart.untilNow();
      closed.countDown();
    }

    void awaitClosed() throws InterruptedException, IOException {
      if (!closed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException("the recording did not close within " + TIMEOUT.toMinutes() + " minutes");
      }
    }

    long nanos() {
      return end - start;
    }

    JvmMemory.ThreadCost cost() {
      return cost;
    }
  }
}
