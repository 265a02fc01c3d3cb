package dev.tracereplay.junit5.assertions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.junit5.TestTraces;
import dev.tracereplay.testing.RecordingSink;
import java.nio.file.Path;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.error.AssertJMultipleFailuresError;
import org.junit.jupiter.api.Test;

/**
 * The assert classes are public and open with public constructors, as AssertJ's guide to custom
 * assertions has them, so that AssertJ's soft assertions can proxy them and collect every failure.
 */
class SoftAssertionsTest {

  @Test
  void softAssertionsCollectTheFailuresOfBothAssertClasses() throws Exception {
    ReplayResult result;
    try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
      result = TraceReplayer.of(TestTraces.TRUE_START).replayTo(channel);
    }
    Path trace = TestTraces.TRUE_START;
    SoftAssertions softly = new SoftAssertions();

    softly.proxy(TraceAssert.class, Path.class, trace).hasMessageCount(2).hasVersion(1);
    softly.proxy(ReplayResultAssert.class, ReplayResult.class, result).deliveredAll().hasSentMessages(3);
    softly.proxy(TraceAssert.class, Path.class, trace).hasNoDroppedPoints();

    assertThat(softly.errorsCollected()).hasSize(2);
    assertThatThrownBy(softly::assertAll).isInstanceOf(AssertJMultipleFailuresError.class)
        .hasMessageContaining("%nExpecting trace:%n  %s%nto have 2 messages but it has 1".formatted(trace))
        .hasMessageContaining("%nExpecting the replay of:%n  %s%nto send 3 messages but it sent 1".formatted(trace));
  }
}
