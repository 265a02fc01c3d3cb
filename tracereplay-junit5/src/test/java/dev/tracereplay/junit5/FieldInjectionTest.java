package dev.tracereplay.junit5;

import static dev.tracereplay.junit5.EngineRuns.assertAllPassed;
import static dev.tracereplay.junit5.EngineRuns.onlyFailure;
import static dev.tracereplay.junit5.EngineRuns.published;
import static dev.tracereplay.junit5.EngineRuns.run;
import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.replay.ShapeException;
import dev.tracereplay.testing.RecordingSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension in {@code @TempDir}'s form: {@code @ReplayTrace} and {@code @TraceEndpoint} on
 * fields and parameters with no {@code @ExtendWith}, also seen from {@code @Nested} classes, with
 * {@code @TempDir}'s messages for fields it cannot fill, and the endpoint directory's cleanup mode.
 */
@Timeout(120)
class FieldInjectionTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void fieldsAloneWorkWithoutExtendWithAlsoFromANestedClass() {
    Events tests = run(OnlyFields.class);

    assertAllPassed(tests, 4);
    List<String> statics = published(tests, "static");
    assertThat(statics).as("one static endpoint for the class's lifetime").hasSize(4).containsOnly(statics.get(0));
    assertThat(Path.of(statics.get(0)).getParent()).as("deleted after the class").doesNotExist();
    List<String> instances = published(tests, "instance");
    assertThat(instances).as("a fresh instance endpoint for each test, also the outer one's in nested tests")
        .hasSize(4).doesNotHaveDuplicates()
        .allSatisfy(endpoint -> assertThat(Path.of(endpoint).getParent()).as("deleted after the test").doesNotExist());
  }

  @Test
  void aClassThatAlsoExtendsWithTheExtensionHasItOnce() {
    assertAllPassed(run(FieldsAndExtendWith.class), 1);
  }

  @Test
  void parametersAloneWorkWithoutExtendWith() {
    assertAllPassed(run(OnlyParameters.class), 1);
  }

  @Test
  void aFinalFieldFailsAsTempDirSays() {
    assertThat(onlyFailure(run(FinalField.class)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageMatching("@ReplayTrace field \\[.*FinalField\\.replayer\\] must not be declared as final\\.");
    assertThat(onlyFailure(run(FinalEndpointField.class)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageMatching("@TraceEndpoint field \\[.*FinalEndpointField\\.endpoint\\] must not be declared as final\\.");
  }

  @Test
  void aFieldOfAnotherTypeFailsAsTempDirSays() {
    assertThat(onlyFailure(run(TraceFieldOfWrongType.class)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("Can only resolve @ReplayTrace field of type dev.tracereplay.TraceReplayer but was: java.lang.String");
    assertThat(onlyFailure(run(EndpointFieldOfWrongType.class)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("Can only resolve @TraceEndpoint field of type java.nio.file.Path but was: java.io.File");
  }

  @Test
  void aFieldCannotBeBothEndpointAndTrace() {
    assertThat(onlyFailure(run(EndpointAndTraceField.class)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageStartingWith("A field cannot be both @TraceEndpoint and @ReplayTrace");
  }

  @Test
  void aFieldsMissingTraceNamesTheField() {
    assertThat(onlyFailure(run(MissingTraceField.class)))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageMatching("(?s)@ReplayTrace field \\[.*MissingTraceField\\.replayer\\]: @ReplayTrace\\(\"no-such-trace\"\\)"
            + " found no trace\\. Looked for.*");
  }

  @Test
  void aSpeedForATraceWithoutTimesFailsAtResolutionNamingTheAnnotationAndTheTrace() {
    Throwable failure = onlyFailure(run(SpeedWithoutTimesField.class));

    assertThat(failure).isInstanceOf(ParameterResolutionException.class)
        .hasMessageStartingWith("@ReplayTrace field [")
        .hasMessageContaining("@ReplayTrace(value = \"true-start.trace\", speed = 1.0): a replay at speed 1.0 follows"
            + " the messages' context_data.time_ns, but none of the 1 messages selected from "
            + TestTraces.TRUE_START)
        .hasMessageEndingWith("pace it by rate instead")
        .hasRootCauseInstanceOf(ShapeException.class);
  }

  @Test
  void aSpeedForATraceWithTimesIsResolved() {
    assertAllPassed(run(SpeedWithTimes.class), 1);
  }

  // ---- Cleanup modes ----

  @Test
  void onSuccessKeepsAFailedTestsDirectoryAndSaysWhere() throws IOException {
    Events tests = run(OnSuccess.class);

    assertThat(tests.failed().count()).isEqualTo(1);
    assertThat(tests.succeeded().count()).isEqualTo(1);
    List<String> failed = published(tests, "failed");
    List<String> kept = published(tests, TestDirectory.KEPT_REPORT_KEY);
    try {
      assertThat(kept).containsExactly(Path.of(failed.get(0)).getParent().toString());
      assertThat(Path.of(kept.get(0))).isDirectory();
      assertThat(Path.of(published(tests, "passed").get(0)).getParent()).doesNotExist();
    } finally {
      delete(kept);
    }
  }

  @Test
  void neverKeepsEvenAPassedTestsDirectory() throws IOException {
    Events tests = run(Never.class);

    assertAllPassed(tests, 1);
    List<String> kept = published(tests, TestDirectory.KEPT_REPORT_KEY);
    try {
      assertThat(kept).containsExactly(Path.of(published(tests, "endpoint").get(0)).getParent().toString());
      assertThat(Path.of(kept.get(0))).isDirectory();
    } finally {
      delete(kept);
    }
  }

  @Test
  void theDefaultModeIsAConfigurationParameterAndAnAnnotationOverridesIt() throws IOException {
    Events tests = run(DefaultAndAlways.class, Map.of(TraceReplayExtension.CLEANUP_MODE_PROPERTY, "on_success"));

    assertThat(tests.failed().count()).isEqualTo(2);
    List<String> kept = published(tests, TestDirectory.KEPT_REPORT_KEY);
    try {
      assertThat(kept).containsExactly(Path.of(published(tests, "default").get(0)).getParent().toString());
      assertThat(Path.of(published(tests, "always").get(0)).getParent()).doesNotExist();
    } finally {
      delete(kept);
    }
  }

  @Test
  void aDefaultModeThatIsNoneFailsNamingTheParameter() {
    assertThat(onlyFailure(run(OneEndpointField.class, Map.of(TraceReplayExtension.CLEANUP_MODE_PROPERTY, "sometimes"))))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("The configuration parameter tracereplay.endpoint.cleanup.mode.default must be always,"
            + " on_success or never, was 'sometimes'");
  }

  private static void delete(List<String> directories) throws IOException {
    for (String directory : directories) {
      try (Stream<Path> paths = Files.walk(Path.of(directory))) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  /** Replays {@code replayer} into a sink at {@code endpoint} and checks the sink got the trace. */
  static void replaysInto(TraceReplayer replayer, Path endpoint) throws Exception {
    try (RecordingSink sink = new RecordingSink().start(endpoint)) {
      assertThat(replayer.replayTo(endpoint)).deliveredAll();
      assertThat(replayer).matchesReceived(sink.awaitMessages(1, TIMEOUT));
    }
  }

  // ---- The test classes run through the engine above: none has @ExtendWith unless it says ----

  @EngineTestKitOnly
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class OnlyFields {
    @ReplayTrace("true-start.trace")
    static TraceReplayer staticReplayer;
    @TraceEndpoint
    static Path staticEndpoint;

    @ReplayTrace("true-start.trace")
    private TraceReplayer replayer;
    @TraceEndpoint
    Path endpoint;

    @Test
    @Order(1)
    void first(TestReporter reporter) throws Exception {
      check(reporter);
    }

    @Test
    @Order(2)
    void second(TestReporter reporter) throws Exception {
      check(reporter);
    }

    void check(TestReporter reporter) throws Exception {
      reporter.publishEntry("static", staticEndpoint.toString());
      reporter.publishEntry("instance", endpoint.toString());
      assertThat(endpoint).hasFileName("sink.sock").doesNotExist();
      assertThat(staticEndpoint).hasFileName("sink.sock").isNotEqualTo(endpoint);
      replaysInto(replayer, endpoint);
      replaysInto(staticReplayer, staticEndpoint);
    }

    @Nested
    class Inner {
      @TraceEndpoint
      Path innerEndpoint;

      @Test
      void seesTheOuterFieldsAndItsOwn(TestReporter reporter) throws Exception {
        check(reporter);
        assertThat(innerEndpoint).hasFileName("sink-2.sock");
        assertThat(innerEndpoint.getParent()).as("the test's one directory").isEqualTo(endpoint.getParent());
        replaysInto(replayer, innerEndpoint);
      }
    }

    @Nested
    class InnerWithoutFields {
      @Test
      void seesTheOuterFields(TestReporter reporter) throws Exception {
        check(reporter);
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class FieldsAndExtendWith {
    @ReplayTrace("true-start.trace")
    TraceReplayer replayer;
    @TraceEndpoint
    Path endpoint;

    @Test
    void test(@TraceEndpoint Path second) throws Exception {
      // Registered twice, the field would be set twice: sink.sock, then sink-2.sock.
      assertThat(endpoint).hasFileName("sink.sock");
      assertThat(second).hasFileName("sink-2.sock");
      replaysInto(replayer, endpoint);
    }
  }

  @EngineTestKitOnly
  static class OnlyParameters {
    @Test
    void test(@ReplayTrace("true-start.trace") TraceReplayer replayer, @TraceEndpoint Path endpoint) throws Exception {
      replaysInto(replayer, endpoint);
    }
  }

  @EngineTestKitOnly
  static class FinalField {
    @ReplayTrace("true-start.trace")
    final TraceReplayer replayer = null;

    @Test
    void test() {}
  }

  @EngineTestKitOnly
  static class FinalEndpointField {
    @TraceEndpoint
    final Path endpoint = null;

    @Test
    void test() {}
  }

  @EngineTestKitOnly
  static class TraceFieldOfWrongType {
    @ReplayTrace("true-start.trace")
    String replayer;

    @Test
    void test() {}
  }

  @EngineTestKitOnly
  static class EndpointFieldOfWrongType {
    @TraceEndpoint
    java.io.File endpoint;

    @Test
    void test() {}
  }

  @EngineTestKitOnly
  static class EndpointAndTraceField {
    @TraceEndpoint
    @ReplayTrace("true-start.trace")
    Path both;

    @Test
    void test() {}
  }

  @EngineTestKitOnly
  static class MissingTraceField {
    @ReplayTrace("no-such-trace")
    TraceReplayer replayer;

    @Test
    void test() {}
  }

  @EngineTestKitOnly
  static class SpeedWithoutTimesField {
    @ReplayTrace(value = "true-start.trace", speed = 1)
    TraceReplayer replayer;

    @Test
    void test() {
      fail("not run: the field cannot be resolved");
    }
  }

  @EngineTestKitOnly
  static class SpeedWithTimes {
    @ReplayTrace(value = "shell-common.trace", speed = 1000, messages = "1-3")
    TraceReplayer replayer;

    @Test
    void test() throws Exception {
      try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
        assertThat(replayer.replayTo(channel)).deliveredAll().hasSentMessages(3);
      }
    }
  }

  @EngineTestKitOnly
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class OnSuccess {
    @TraceEndpoint(cleanup = CleanupMode.ON_SUCCESS)
    Path endpoint;

    @Test
    @Order(1)
    void fails(TestReporter reporter) throws IOException {
      reporter.publishEntry("failed", endpoint.toString());
      try (RecordingSink sink = new RecordingSink().start(endpoint)) {
        fail("failing on purpose");
      }
    }

    @Test
    @Order(2)
    void passes(TestReporter reporter) throws IOException {
      reporter.publishEntry("passed", endpoint.toString());
      try (RecordingSink sink = new RecordingSink().start(endpoint)) {
        assertThat(sink.endpoint()).exists();
      }
    }
  }

  @EngineTestKitOnly
  static class Never {
    @Test
    void test(@TraceEndpoint(cleanup = CleanupMode.NEVER) Path endpoint, TestReporter reporter) {
      reporter.publishEntry("endpoint", endpoint.toString());
    }
  }

  @EngineTestKitOnly
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class DefaultAndAlways {
    @Test
    @Order(1)
    void takesTheDefault(@TraceEndpoint Path endpoint, TestReporter reporter) {
      reporter.publishEntry("default", endpoint.toString());
      fail("failing on purpose");
    }

    @Test
    @Order(2)
    void always(@TraceEndpoint(cleanup = CleanupMode.ALWAYS) Path endpoint, TestReporter reporter) {
      reporter.publishEntry("always", endpoint.toString());
      fail("failing on purpose");
    }
  }

  @EngineTestKitOnly
  static class OneEndpointField {
    @TraceEndpoint
    Path endpoint;

    @Test
    void test() {}
  }
}
