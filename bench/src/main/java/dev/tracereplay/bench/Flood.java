package dev.tracereplay.bench;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.internal.wire.Handshake;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A flood of short sessions into {@code tracereplay save}, run as a process of its own with a
 * small heap and direct-memory limit, measuring what it keeps: its resident set and descriptors
 * before, during and after, and whether the next client after the flood is recorded whole.
 * Half the sessions hang up before reading the handshake answer (the kind that cost the most),
 * half send one message and close.
 *
 * <pre>
 * bench/flood.sh [--sessions=80000] [--concurrency=16] [--saver-opts=-Xmx64m,-XX:MaxDirectMemorySize=32m] [--dir=DIR]
 * </pre>
 */
public final class Flood {
  private Flood() {}

  public static void main(String[] args) throws Exception {
    long sessions = 80_000;
    int concurrency = 16;
    List<String> saverOptions = List.of("-Xmx64m", "-XX:MaxDirectMemorySize=32m");
    Path dir = null;
    for (String arg : args) {
      String[] option = arg.replaceFirst("^--", "").split("=", 2);
      String value = option.length > 1 ? option[1] : "";
      switch (option[0]) {
        case "sessions" -> sessions = Long.parseLong(value.replace("_", ""));
        case "concurrency" -> concurrency = Integer.parseInt(value);
        case "saver-opts" -> saverOptions = Arrays.asList(value.split(","));
        case "dir" -> dir = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + arg
            + "; usage: Flood [--sessions=N] [--concurrency=N] [--saver-opts=A,B] [--dir=DIR]");
      }
    }
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("tracereplay-flood");
    Path endpoint = work.resolve("flood.sock");
    Path out = work.resolve("out");
    System.out.printf("flood: %,d sessions, %d at once, into save with %s%n", sessions, concurrency, saverOptions);
    try (SaverProcess saver = SaverProcess.start(saverOptions, endpoint, out)) {
      System.out.printf("before:  RSS %,d KiB, %d fds, %d threads%n", saver.rssKib(), saver.openDescriptors(),
          saver.threads());
      AtomicLong next = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long total = sessions;
      long start = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < concurrency; t++) {
        Thread thread = new Thread(() -> {
          for (long n; (n = next.getAndIncrement()) < total; ) {
            try {
              session(endpoint, n % 2 == 0);
            } catch (IOException e) {
              failed.incrementAndGet();   // refused (a limit, no buffer): counted, the flood goes on
            }
            if (n > 0 && n % 10_000 == 0) {
              System.out.printf("%,7d:  RSS %,d KiB, %d fds, %d threads%n", n, saver.rssKib(),
                  saver.openDescriptors(), saver.threads());
            }
          }
        }, "flood-" + t);
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("flood done in %.1f s (%,.0f sessions/s); %,d sessions failed (refused or cut)%n", seconds,
          sessions / seconds, failed.get());
      System.out.printf("after:   RSS %,d KiB (peak %,d KiB), %d fds, %d threads%n", saver.rssKib(),
          saver.peakRssKib(), saver.openDescriptors(), saver.threads());
      int messages = 10_000;
      Path file = recordWhole(endpoint, out, messages);
      try (TraceFileReader reader = TraceFileReader.open(file)) {
        long records = 0;
        while (reader.next()) {
          records++;
        }
        System.out.printf("next client: %,d of %,d messages in %s%s%n", records, messages, file.getFileName(),
            records == messages ? " (whole)" : " (NOT WHOLE)");
      }
      System.out.printf("end:     RSS %,d KiB, %d fds; saver stdout lines %,d%n", saver.rssKib(),
          saver.openDescriptors(), saver.stdoutLines());
      System.out.printf("save exited %d%n", saver.stop(Duration.ofSeconds(60)));
    }
  }

  private static ByteBuffer message(long number) {
    ByteBuffer packet = ByteBuffer.allocate(MessageHeader.SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
    MessageHeader.of(MessageType.SYSCALL_OPEN, 0).writeTo(packet);
    return packet.putLong(number).flip();
  }

  /** One short session: the handshake, then either a hang-up at once or one message and a close. */
  private static void session(Path endpoint, boolean hangUpBeforeTheAnswer) throws IOException {
    try (SeqPacketChannel channel = UnixSeqPacketChannel.connect(endpoint)) {
      channel.setReceiveTimeout(Duration.ofSeconds(30));
      channel.send(Handshake.encode(Handshake.CURRENT_VERSION));
      if (hangUpBeforeTheAnswer) {
        return;
      }
      if (channel.receive(ByteBuffer.allocate(Handshake.MAX_SIZE + 1)) < 0) {
        throw new IOException("refused");
      }
      channel.send(message(0));
    }
  }

  /** Sends {@code messages} messages as one client, then finds the file they went to (the newest). */
  static Path recordWhole(Path endpoint, Path out, int messages) throws Exception {
    try (SeqPacketChannel channel = UnixSeqPacketChannel.connect(endpoint)) {
      channel.setReceiveTimeout(Duration.ofSeconds(30));
      channel.send(Handshake.encode(Handshake.CURRENT_VERSION));
      if (channel.receive(ByteBuffer.allocate(Handshake.MAX_SIZE + 1)) < 0) {
        throw new IOException("the client after the flood was refused");
      }
      for (int i = 0; i < messages; i++) {
        channel.send(message(i));
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long size = 16 + 8 + 13 + (long) messages * (8 + MessageHeader.SIZE + 8);   // header, config, records
    while (true) {
      Path newest;
      try (Stream<Path> files = Files.list(out)) {
        // client-9999 comes before client-10000: by length, then by name.
        newest = files.max(Comparator.comparing((Path p) -> p.toString().length()).thenComparing(Path::toString))
            .orElseThrow();
      }
      if (Files.size(newest) >= size || System.nanoTime() > deadline) {
        return newest;
      }
      Thread.sleep(50);   // a benchmark, not a test: waiting for the saver to flush
    }
  }
}
