package dev.tracereplay.junit5;

import static dev.tracereplay.junit5.EngineRuns.assertAllPassed;
import static dev.tracereplay.junit5.EngineRuns.onlyFailure;
import static dev.tracereplay.junit5.EngineRuns.run;
import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.replay.Fault;
import dev.tracereplay.replay.MessageRange;
import dev.tracereplay.replay.Pacing;
import dev.tracereplay.replay.ShapeException;
import dev.tracereplay.testing.ReceivedMessage;
import dev.tracereplay.testing.RecordingSink;
import dev.tracereplay.wire.MessageType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/** {@code @ReplayTrace}'s shaping attributes, through the Jupiter engine as a user's build runs them. */
@Timeout(120)
class ReplayTraceShapingTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String GRAMMAR = "Faults: drop@N, drop@N-M, drop~P%, corrupt@N, short@N, bad-header@N,"
      + " unknown-type@N, oversize@N, stall@N:DURATION (e.g. 500ms, 2s), close@N, handshake-version=V (N: a"
      + " 1-based message number in the file)";

  @Test
  void faultsAreInjectedAsTheAnnotationSays() {
    assertAllPassed(run(Faults.class), 2);
  }

  @Test
  void typesAndMessagesSelect() {
    assertAllPassed(run(Selection.class), 1);
  }

  @Test
  void speedRateAndSeedAreTheReplayersShape() {
    assertAllPassed(run(PacingAndSeed.class), 3);
  }

  @Test
  void aClassAnnotationShapesEveryTest() {
    assertAllPassed(run(ShapedClass.class), 1);
  }

  @Nested
  class ABadSpecFailsTheTestNamingTheAnnotationAndTheSpec {

    @Test
    void aFault() {
      assertThat(onlyFailure(run(BadFault.class)))
          .isInstanceOf(ParameterResolutionException.class)
          .hasMessage("@ReplayTrace(value = \"shell-common.trace\", faults = {\"drop@2\", \"drop@x\"}): 'drop@x' is"
              + " not a fault: 'x' is not a message number (a whole number). " + GRAMMAR)
          .hasCauseInstanceOf(ShapeException.class);
    }

    @Test
    void aType() {
      assertThat(onlyFailure(run(BadType.class)))
          .isInstanceOf(ParameterResolutionException.class)
          .hasMessageStartingWith("@ReplayTrace(value = \"shell-common.trace\", types = \"open,opne\"): 'opne' is not"
              + " a message type: a type is a payload name (open, read, start, cloneinfo)");
    }

    @Test
    void aRange() {
      assertThat(onlyFailure(run(BadRange.class)))
          .hasMessage("@ReplayTrace(value = \"shell-common.trace\", messages = \"10\"): '10' is not a message range:"
              + " the dash is missing (write 10-10 for one message). Use FROM-TO or FROM- (1-based message numbers"
              + " in the file, both included)");
    }

    @Test
    void speedAndRateTogether() {
      assertThat(onlyFailure(run(SpeedAndRate.class)))
          .hasMessageStartingWith("@ReplayTrace(value = \"shell-common.trace\", speed = 2.0, rate = 10.0): speed and"
              + " rate exclude each other");
    }

    @Test
    void aNegativeRate() {
      assertThat(onlyFailure(run(NegativeRate.class)))
          .hasMessage("@ReplayTrace(value = \"shell-common.trace\", rate = -1.0): rate must be a number above 0, was"
              + " -1.0 (messages a second)");
    }

    @Test
    void aSpeedForATraceWithoutTimesFailsAtResolutionSayingToUseRate() {
      assertThat(onlyFailure(run(SpeedWithoutTimes.class)))
          .isInstanceOf(ParameterResolutionException.class)
          .hasCauseInstanceOf(ShapeException.class)
          .hasMessageStartingWith("@ReplayTrace(value = \"true-start.trace\", speed = 1.0): a replay at speed 1.0")
          .hasMessageContaining("none of the 1 messages selected from " + TestTraces.TRUE_START)
          .hasMessageEndingWith("pace it by rate instead");
    }
  }

  // ---- The test classes run through the engine above ----

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class Faults {
    @Test
    @ReplayTrace(value = "shell-common.trace", faults = {"drop@2-3", "close@10"})
    void dropsAndDiesMidStream(TraceReplayer sandbox) throws Exception {
      try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
        ReplayResult result = sandbox.replayTo(channel);

        assertThat(result).deliveredAll().closedOnPurposeAfter(10).hasDroppedMessages(2).hasSentMessages(8);
        List<ReceivedMessage> received = sink.awaitMessages(8, TIMEOUT);
        assertThat(received).extracting(ReceivedMessage::droppedCount).containsExactly(0L, 2L, 2L, 2L, 2L, 2L, 2L, 2L);
        assertThat(sink.awaitClosedConnections(1, TIMEOUT).get(0).messages()).isEqualTo(8);
      }
    }

    @Test
    void aParameterAnnotationTooOverASocket(
        @ReplayTrace(value = "shell-common.trace", faults = "unknown-type@1") TraceReplayer sandbox,
        @TraceEndpoint Path endpoint) throws Exception {
      try (RecordingSink sink = new RecordingSink().start(endpoint)) {
        assertThat(sandbox.replayTo(endpoint)).deliveredAll().hasAlteredMessages(1);
        assertThat(sink.awaitMessages(444, TIMEOUT).get(0).message().messageType()).isEqualTo(999);
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class Selection {
    @Test
    @ReplayTrace(value = "shell-common.trace", types = {"open", "SENTRY_CLONE"}, messages = "1-100")
    void onlyThose(TraceReplayer sandbox) throws Exception {
      assertThat(sandbox.shape().messages()).isEqualTo(MessageRange.of(1, 100));
      try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
        ReplayResult result = sandbox.replayTo(channel);
        channel.close();

        assertThat(sink.awaitClosedConnections(1, TIMEOUT)).hasSize(1);
        assertThat(sink.messages()).hasSize((int) result.messagesSent()).isNotEmpty()
            .allSatisfy(message -> assertThat(message.type()).isIn(MessageType.SYSCALL_OPEN, MessageType.SENTRY_CLONE));
        assertThat(result.messagesSelected()).isEqualTo(result.messagesSent());
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class PacingAndSeed {
    @Test
    @ReplayTrace(value = "shell-common.trace", speed = 2)
    void speed(TraceReplayer sandbox) {
      assertThat(sandbox.shape().pacing()).isEqualTo(Pacing.speed(2));
    }

    @Test
    @ReplayTrace(value = "shell-common.trace", rate = 100_000)
    void rate(TraceReplayer sandbox) throws Exception {
      assertThat(sandbox.shape().pacing()).isEqualTo(Pacing.rate(100_000));
      try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
        assertThat(sandbox.replayTo(channel)).deliveredAll().hasSentMessages(444);
      }
    }

    @Test
    @ReplayTrace(value = "shell-common.trace", faults = "drop~50%", seed = 9)
    void theSeedDrawsTheSameDropsEachTime(TraceReplayer sandbox) throws Exception {
      assertThat(sandbox.shape().seed()).isEqualTo(9);
      assertThat(sandbox.shape().faults()).containsExactly(Fault.dropRandomly(50));
      assertThat(droppedCounts(sandbox)).isEqualTo(droppedCounts(sandbox));
    }

    private static List<Long> droppedCounts(TraceReplayer sandbox) throws Exception {
      try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
        ReplayResult result = sandbox.replayTo(channel);
        return sink.awaitMessages((int) result.messagesSent(), TIMEOUT).stream()
            .map(ReceivedMessage::droppedCount).toList();
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  @ReplayTrace(value = "shell-common.trace", faults = "close@1")
  static class ShapedClass {
    @Test
    void test(TraceReplayer sandbox) throws Exception {
      try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
        assertThat(sandbox.replayTo(channel)).closedOnPurposeAfter(1).hasSentMessages(1);
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class BadFault {
    @Test
    @ReplayTrace(value = "shell-common.trace", faults = {"drop@2", "drop@x"})
    void test(TraceReplayer sandbox) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class BadType {
    @Test
    @ReplayTrace(value = "shell-common.trace", types = "open,opne")
    void test(TraceReplayer sandbox) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class BadRange {
    @Test
    @ReplayTrace(value = "shell-common.trace", messages = "10")
    void test(TraceReplayer sandbox) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class SpeedAndRate {
    @Test
    @ReplayTrace(value = "shell-common.trace", speed = 2, rate = 10)
    void test(TraceReplayer sandbox) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class NegativeRate {
    @Test
    @ReplayTrace(value = "shell-common.trace", rate = -1)
    void test(TraceReplayer sandbox) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class SpeedWithoutTimes {
    @Test
    @ReplayTrace(value = "true-start.trace", speed = 1)
    void test(TraceReplayer sandbox) {
      fail("not run: the parameter cannot be resolved");
    }
  }
}
