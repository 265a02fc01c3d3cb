package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.channel.InMemorySeqPacketChannel;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.points.common.ContextData;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.replay.Fault;
import dev.tracereplay.replay.MessageRange;
import dev.tracereplay.replay.ReplayClock;
import dev.tracereplay.replay.ShapeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schedule of paced and stalled replays, on an injected clock that moves only when the replay
 * waits: each test checks the exact time of every send, and nothing sleeps. One test, at the end,
 * runs on the real clock with loose bounds.
 */
@Timeout(60)
class PacedReplayTest {
  static final long MS = 1_000_000;
  /** A time_ns as runsc writes it: nanoseconds since the epoch. */
  static final long EPOCH = 1_795_660_244_034_833_431L;

  @TempDir Path dir;

  /** A clock at a fixed point; waiting moves it to the deadline and records the deadline. */
  static final class FakeClock implements ReplayClock {
    long now = 5_000 * MS;
    final List<Long> waits = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void parkUntil(long deadline) {
      waits.add(deadline);
      now = Math.max(now, deadline);
    }
  }

  /** A trace of Opens, one per entry: a time in ms after {@link #EPOCH}, or null for a message without one. */
  Path trace(Long... millis) throws IOException {
    TraceFiles file = TraceFiles.withHeader();
    for (Long ms : millis) {
      Open.Builder open = Open.newBuilder().setPathname("/f");
      if (ms != null) {
        open.setContextData(ContextData.newBuilder().setTimeNs(EPOCH + ms * MS));
      }
      ByteBuffer packet = dev.tracereplay.points.TracePoints.encode(open.build(), 0);
      byte[] bytes = new byte[packet.remaining()];
      packet.get(bytes);
      file.record(bytes);
    }
    return Files.write(dir.resolve("trace-" + millis.length + "-" + System.nanoTime()), file.bytes());
  }

  /** When each message was sent, in ms on the clock from its start, over an in-memory connection. */
  static List<Double> sendTimes(TraceReplayer replayer, FakeClock clock) throws Exception {
    long start = clock.now;
    List<Double> times = new ArrayList<>();
    InMemorySeqPacketChannel.Pair pair = InMemorySeqPacketChannel.pair();
    CompletableFuture<Void> sink = CompletableFuture.runAsync(() -> {
      try {
        pair.server().receive(ByteBuffer.allocate(64));
        pair.server().send(ByteBuffer.wrap(new byte[] {0x08, 0x01}));
        while (pair.server().receive(ByteBuffer.allocate(1 << 16)) >= 0) {
          // drain
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    replayer.withClock(clock).withListener(new ReplayListener() {
      @Override
      public void messageSent(long count) {
        times.add((clock.now - start) / (double) MS);
      }
    }).replayTo(pair.client());
    pair.client().close();
    sink.get();
    return times;
  }

  @Test
  void speedFollowsTheRecordedTimesDividedByTheFactor() throws Exception {
    FakeClock clock = new FakeClock();

    List<Double> times = sendTimes(TraceReplayer.of(trace(0L, 100L, 300L, 301L)).withSpeed(2), clock);

    assertThat(times).containsExactly(0.0, 50.0, 150.0, 150.5);
    assertThat(clock.waits).containsExactly(5_050 * MS, 5_150 * MS, 5_150 * MS + MS / 2);
  }

  @Test
  void aMessageWithoutATimeIsDueWithThePreviousOneAndTimeGoingBackNeverWaits() throws Exception {
    FakeClock clock = new FakeClock();

    List<Double> times = sendTimes(TraceReplayer.of(trace(null, 0L, 100L, null, 40L, 200L)).withSpeed(1), clock);

    assertThat(times).containsExactly(0.0, 0.0, 100.0, 100.0, 100.0, 200.0);
    assertThat(clock.waits).containsExactly(5_100 * MS, 5_200 * MS);
  }

  @Test
  void theScheduleIsAgainstDeadlinesSoASlowSinkDoesNotShiftIt() throws Exception {
    // A sink that makes message 2 take 30 ms to send: message 3 is still due at 100 ms, not 130.
    FakeClock clock = new FakeClock();
    TraceReplayer replayer = TraceReplayer.of(trace(0L, 50L, 100L)).withSpeed(1).withListener(new ReplayListener() {
      @Override
      public void messageSent(long count) {
        if (count == 2) {
          clock.now += 30 * MS;
        }
      }
    });
    InMemorySeqPacketChannel.Pair pair = InMemorySeqPacketChannel.pair();
    pair.server().send(ByteBuffer.wrap(new byte[] {0x08, 0x01}));

    replayer.withClock(clock).replayTo(pair.client());

    assertThat(clock.waits).containsExactly(5_050 * MS, 5_100 * MS);
  }

  @Test
  void rateSendsEvenlyWhateverTheTimes() throws Exception {
    FakeClock clock = new FakeClock();

    List<Double> times = sendTimes(TraceReplayer.of(trace(0L, 900L, null, 5L, 6L)).withRate(4), clock);

    assertThat(times).containsExactly(0.0, 250.0, 500.0, 750.0, 1000.0);
  }

  @Test
  void aRateOfThreeADayDoesNotDrift() throws Exception {
    FakeClock clock = new FakeClock();

    List<Double> times = sendTimes(TraceReplayer.of(trace(null, null, null, null)).withRate(3), clock);

    // k / 3 s from the start, each computed from the start: no sum of rounded periods.
    assertThat(times).containsExactly(0.0, 333.333333, 666.666666, 1000.0);
  }

  @Test
  void aStallPausesBeforeItsMessageAndShiftsTheRestOfAPacedSchedule() throws Exception {
    FakeClock clock = new FakeClock();

    List<Double> paced = sendTimes(TraceReplayer.of(trace(0L, 100L, 200L, 300L)).withSpeed(2)
        .withFaults(Fault.stall(3, Duration.ofSeconds(1))), clock);
    List<Double> unpaced = sendTimes(TraceReplayer.of(trace(0L, 100L, 200L, 300L))
        .withFaults(Fault.stall(2, Duration.ofMillis(500)), Fault.stall(4, Duration.ofMillis(20))), clock);

    assertThat(paced).containsExactly(0.0, 50.0, 1100.0, 1150.0);
    assertThat(unpaced).containsExactly(0.0, 500.0, 500.0, 520.0);
  }

  @Test
  void aStallBeforeAMessageNotSentPausesBeforeTheNextOneSent() throws Exception {
    FakeClock clock = new FakeClock();

    List<Double> times = sendTimes(TraceReplayer.of(trace(0L, 0L, 0L)).withFaults(Fault.drop(2),
        Fault.stall(2, Duration.ofMillis(30))), clock);

    assertThat(times).containsExactly(0.0, 30.0);
  }

  @Test
  void selectedMessagesAreScheduledFromTheFirstOneSent() throws Exception {
    FakeClock clock = new FakeClock();

    List<Double> times = sendTimes(TraceReplayer.of(trace(0L, 100L, 150L, 400L))
        .withMessages(MessageRange.startingAt(2)).withSpeed(1), clock);

    assertThat(times).containsExactly(0.0, 50.0, 300.0);
  }

  @Test
  void speedWithoutTimesIsAShapeErrorFoundBeforeConnecting() throws Exception {
    Path untimed = trace(null, null, 5L);
    Path nothingListens = dir.resolve("nobody.sock");

    assertThatThrownBy(() -> TraceReplayer.of(untimed).withMessages(MessageRange.of(1, 2)).withSpeed(2)
        .replayTo(nothingListens))
        .isInstanceOfSatisfying(ShapeException.class, e -> assertThat(e.part()).isEqualTo(ShapeException.Part.SPEED))
        .hasMessage("a replay at speed 2.0 follows the messages' context_data.time_ns, but none of the 2 messages"
            + " selected from " + untimed + " has one (the trace session did not ask for the time context field):"
            + " pace it by rate instead");
    // The same file with its timed message selected is fine; a rate needs no time.
    assertThatThrownBy(() -> TraceReplayer.of(untimed).withSpeed(2).replayTo(nothingListens))
        .isInstanceOf(ReplayException.class);
    assertThatThrownBy(() -> TraceReplayer.of(untimed).withMessages(MessageRange.of(1, 2)).withRate(2)
        .replayTo(nothingListens))
        .isInstanceOf(ReplayException.class).hasMessageContaining("cannot connect");
  }

  /** The one test on the real clock: bounds loose enough for any machine, however loaded. */
  @Test
  void onTheRealClockASpeedReplayTakesAtLeastTheRecordedTimeOverTheFactor() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir); // 444 messages over 74.75 ms
    Path endpoint = dir.resolve("sink.sock");
    try (RawSink sink = RawSink.listen(endpoint)) {
      ReplayResult result = TraceReplayer.of(trace).withSpeed(0.5).replayTo(endpoint);

      assertThat(sink.awaitSession(Duration.ofSeconds(30))).hasSize(444);
      assertThat(result.elapsed()).isBetween(Duration.ofMillis(149), Duration.ofSeconds(30));
    }
  }
}
