package dev.tracereplay.bench;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
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
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A soak of {@code tracereplay save}: N runsc-like clients (default 16) for a set time (default
 * one hour), each sending a session of a few thousand messages at runsc's pace of bursts and
 * pauses, then hanging up and connecting again, while the saver's resident set and descriptors
 * are sampled every minute: both must stay flat. Old recordings are deleted as the soak goes, so
 * the disk does not fill; the saver is not told.
 *
 * <pre>
 * bench/soak.sh [--minutes=60] [--clients=16] [--sample-seconds=60] [--saver-opts=-Xmx64m] [--dir=DIR]
 * </pre>
 */
public final class Soak {
  private Soak() {}

  public static void main(String[] args) throws Exception {
    double minutes = 60;
    int clients = 16;
    int sampleSeconds = 60;
    List<String> saverOptions = List.of("-Xmx64m");
    Path dir = null;
    for (String arg : args) {
      String[] option = arg.replaceFirst("^--", "").split("=", 2);
      String value = option.length > 1 ? option[1] : "";
      switch (option[0]) {
        case "minutes" -> minutes = Double.parseDouble(value);
        case "clients" -> clients = Integer.parseInt(value);
        case "sample-seconds" -> sampleSeconds = Integer.parseInt(value);
        case "saver-opts" -> saverOptions = Arrays.asList(value.split(","));
        case "dir" -> dir = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + arg + "; usage: Soak [--minutes=N]"
            + " [--clients=N] [--sample-seconds=N] [--saver-opts=A,B] [--dir=DIR]");
      }
    }
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("tracereplay-soak");
    Path endpoint = work.resolve("soak.sock");
    Path out = work.resolve("out");
    System.out.printf("soak: %d clients with reconnects for %.1f min into save with %s, sampled every %d s%n",
        clients, minutes, saverOptions, sampleSeconds);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong sessions = new AtomicLong();
    AtomicLong messages = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    try (SaverProcess saver = SaverProcess.start(saverOptions, endpoint, out)) {
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        Thread thread = new Thread(() -> {
          while (!stop.get()) {
            try {
              messages.addAndGet(session(endpoint, stop));
              sessions.incrementAndGet();
            } catch (IOException e) {
              failures.incrementAndGet();
            }
          }
        }, "soak-client-" + c);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
      long start = System.nanoTime();
      long end = start + (long) (minutes * 60e9);
      System.out.println("minute  RSS KiB  fds  threads  sessions  messages  failed");
      sample(saver, 0, sessions, messages, failures);
      for (long next = start + sampleSeconds * 1_000_000_000L; next <= end; next += sampleSeconds * 1_000_000_000L) {
        Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
        sample(saver, (next - start) / 60e9, sessions, messages, failures);
        deleteRecordings(out);
      }
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(60_000);
      }
      System.out.printf("end: peak RSS %,d KiB; %,d sessions, %,d messages, %,d failed; save exited %d%n",
          saver.peakRssKib(), sessions.get(), messages.get(), failures.get(), saver.stop(Duration.ofSeconds(60)));
    }
  }

  private static void sample(SaverProcess saver, double minute, AtomicLong sessions, AtomicLong messages,
      AtomicLong failures) {
    System.out.printf("%6.1f  %,7d  %3d  %7d  %,8d  %,9d  %6d%n", minute, saver.rssKib(), saver.openDescriptors(),
        saver.threads(), sessions.get(), messages.get(), failures.get());
  }

  /** One runsc-like session: 1,000 to 5,000 messages of 64 to 512 bytes in bursts with pauses. */
  private static long session(Path endpoint, AtomicBoolean stop) throws IOException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int count = random.nextInt(1_000, 5_001);
    try (SeqPacketChannel channel = UnixSeqPacketChannel.connect(endpoint)) {
      channel.setReceiveTimeout(Duration.ofSeconds(30));
      channel.setSendTimeout(Duration.ofSeconds(30));
      channel.send(Handshake.encode(Handshake.CURRENT_VERSION));
      if (channel.receive(ByteBuffer.allocate(Handshake.MAX_SIZE + 1)) < 0) {
        throw new IOException("refused");
      }
      ByteBuffer packet = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < count && !stop.get(); i++) {
        packet.clear();
        MessageHeader.of(MessageType.SYSCALL_OPEN, 0).writeTo(packet);
        packet.position(MessageHeader.SIZE + random.nextInt(48, 497)).flip();
        channel.send(packet);
        if (i % 100 == 99) {
          try {
            Thread.sleep(random.nextInt(1, 20));   // runsc's bursts and pauses
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      return count;
    }
  }

  private static void deleteRecordings(Path out) {
    try (var files = Files.list(out)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(file);   // an open recording's file goes too; its writer keeps its inode
      }
    } catch (IOException e) {
      System.out.println("deleting old recordings failed: " + e);
    }
  }
}
