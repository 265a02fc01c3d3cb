package com.example.sink;

import static dev.tracereplay.junit5.TraceReplayAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.testing.RecordingSink;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The extension in @TempDir's form, on every JUnit of the envelope: only @ReplayTrace and
 * @TraceEndpoint fields, static and instance, no @ExtendWith, also seen from a @Nested class.
 */
class FieldsTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @ReplayTrace("true-start.trace")
  static TraceReplayer classReplayer;
  @TraceEndpoint
  static Path classEndpoint;

  @ReplayTrace("true-start.trace")
  TraceReplayer replayer;
  @TraceEndpoint
  private Path endpoint;

  @Test
  void instanceFieldsAreSetForTheTest() throws Exception {
    replaysInto(replayer, endpoint);
  }

  @Test
  void staticFieldsAreSetForTheClass() throws Exception {
    assertThat(classEndpoint.getParent()).isNotEqualTo(endpoint.getParent());
    replaysInto(classReplayer, classEndpoint);
  }

  static void replaysInto(TraceReplayer replayer, Path endpoint) throws Exception {
    try (RecordingSink sink = new RecordingSink().start(endpoint)) {
      assertThat(replayer.replayTo(endpoint)).deliveredAll();
      assertThat(replayer).matchesReceived(sink.awaitMessages(1, TIMEOUT));
    }
  }

  @Nested
  class InANestedClass {
    @TraceEndpoint
    Path nestedEndpoint;

    @Test
    void seesTheOuterClasssFieldsAndItsOwn() throws Exception {
      assertThat(nestedEndpoint).isNotEqualTo(endpoint);
      replaysInto(replayer, endpoint);
      replaysInto(replayer, nestedEndpoint);
      replaysInto(classReplayer, classEndpoint);
    }
  }
}
