package dev.tracereplay.junit5;

import static dev.tracereplay.junit5.EngineRuns.assertAllPassed;
import static dev.tracereplay.junit5.EngineRuns.onlyFailure;
import static dev.tracereplay.junit5.EngineRuns.published;
import static dev.tracereplay.junit5.EngineRuns.run;
import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.testing.ReceivedMessage;
import dev.tracereplay.testing.RecordingSink;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension as users meet it: the static classes below are test classes of the kind users
 * write, run through the Jupiter engine by the tests of this class.
 */
@Timeout(120)
class TraceReplayExtensionTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void replaysARecordedSessionIntoASinkOverASocketAndInMemory() {
    assertAllPassed(run(ReplayIntoRecordingSink.class), 2);
  }

  @Test
  void aMethodAnnotationBindsEveryUnannotatedReplayerOfTheMethod() {
    assertAllPassed(run(MethodDefault.class), 1);
  }

  @Test
  void aClassAnnotationIsTheDefaultOfItsMethodsAndNestedClasses() {
    assertAllPassed(run(ClassDefault.class), 5);
  }

  @Test
  void twoParametersReplayTwoTracesIntoOneSinkAtOnce() {
    assertAllPassed(run(TwoTraces.class), 1);
  }

  @Test
  void aTraceInTheTestClassFolderComesBeforeOneInTheCommonFolder() {
    assertAllPassed(run(ClassSpecificTrace.class), 1);
    assertAllPassed(run(CommonTrace.class), 2);
  }

  @Test
  void givesEachEndpointParameterAFreshShortPathInAPrivateDirectory() {
    Events tests = run(Endpoints.class);

    assertAllPassed(tests, 1);
    assertThat(published(tests, "endpoint")).hasSize(2).allSatisfy(endpoint -> assertThat(Path.of(endpoint).getParent())
        .as("deleted after the test").doesNotExist());
  }

  @Test
  void deletesTheEndpointDirectoryAlsoWhenTheTestFails() {
    Events tests = run(FailingTestWithEndpoint.class);

    assertThat(onlyFailure(tests)).hasMessage("failing on purpose");
    assertThat(published(tests, "endpoint")).singleElement()
        .satisfies(endpoint -> assertThat(Path.of(endpoint).getParent()).doesNotExist());
  }

  @Test
  void constructorParametersBelongToEachTest() {
    Events tests = run(ConstructorParameters.class);

    assertAllPassed(tests, 2);
    List<String> endpoints = published(tests, "endpoint");
    assertThat(endpoints).hasSize(2).doesNotHaveDuplicates();
    assertThat(endpoints).allSatisfy(endpoint -> assertThat(Path.of(endpoint).getParent()).doesNotExist());
  }

  @Test
  void theEndpointDirectoryCanBeConfigured(@TempDir Path dir) {
    Events tests = run(OneEndpoint.class,
        Map.of(TraceReplayExtension.ENDPOINT_DIRECTORY_PROPERTY, dir.toString()));

    assertAllPassed(tests, 1);
    assertThat(Path.of(published(tests, "endpoint").get(0)).getParent().getParent()).isEqualTo(dir);
  }

  @Nested
  class Failures {

    @Test
    void aMissingTraceFailsTheTestListingEveryPlaceLookedAt() {
      Throwable failure = onlyFailure(run(MissingTrace.class));

      assertThat(failure).isInstanceOf(ParameterResolutionException.class).hasMessage(
          "@ReplayTrace(\"no-such-trace\") found no trace. Looked for, in this order:\n"
              + "  class path resource tracereplay/MissingTrace/no-such-trace\n"
              + "  class path resource tracereplay/no-such-trace\n"
              + "  class path resource no-such-trace\n"
              + "  file " + Path.of("no-such-trace").toAbsolutePath() + "\n"
              + "To make one, record a sandbox with `tracereplay save --endpoint=/tmp/gvisor_events.sock"
              + " --out=src/test/resources/tracereplay/MissingTrace` while runsc runs with a trace session whose"
              + " remote sink has that endpoint, and name the client-NNNN file it writes no-such-trace; or write"
              + " one from protobuf messages with dev.tracereplay.junit5.TraceBuilder.");
    }

    @Test
    void aFileThatIsNotATraceFailsWithTheReadersMessage() throws URISyntaxException {
      Path file = Path.of(TraceReplayExtensionTest.class.getResource("/tracereplay/not-a-trace").toURI());

      Throwable failure = onlyFailure(run(NotATrace.class));

      assertThat(failure).isInstanceOf(ParameterResolutionException.class).hasMessage(
          "@ReplayTrace(\"not-a-trace\") found the class path resource tracereplay/not-a-trace, which is not a"
              + " trace file: " + file + ": not a tracereplay file: expected the signature \"tracereplay file\" but"
              + " found \"this is a text f\" (file header, byte offset 0). Pass a file written by 'tracereplay"
              + " save' or gVisor's tracereplay.");
    }

    @Test
    void anEndpointParameterMustBeAPath() {
      assertThat(onlyFailure(run(EndpointOfWrongType.class))).isInstanceOf(ParameterResolutionException.class)
          .hasMessage("Can only resolve @TraceEndpoint parameter of type java.nio.file.Path but was: java.lang.String");
    }

    @Test
    void aTraceParameterMustBeAReplayer() {
      assertThat(onlyFailure(run(TraceOfWrongType.class))).isInstanceOf(ParameterResolutionException.class)
          .hasMessage("Can only resolve @ReplayTrace parameter of type dev.tracereplay.TraceReplayer but was:"
              + " java.nio.file.Path");
    }

    @Test
    void aTraceNameMustNotBeBlank() {
      assertThat(onlyFailure(run(BlankTrace.class))).isInstanceOf(ParameterResolutionException.class)
          .hasMessage("@ReplayTrace(\" \") needs the name or path of a trace, e.g. @ReplayTrace(\"client-0001\")");
    }

    @Test
    void aParameterCannotBeBothEndpointAndTrace() {
      assertThat(onlyFailure(run(EndpointAndTrace.class))).isInstanceOf(ParameterResolutionException.class)
          .hasMessage("A parameter cannot be both @TraceEndpoint and @ReplayTrace: @TraceEndpoint is the sink's"
              + " socket path (java.nio.file.Path), @ReplayTrace the trace replayed into it"
              + " (dev.tracereplay.TraceReplayer)");
    }

    @Test
    void anEndpointOverTheSocketPathLimitFailsTheTest(@TempDir Path dir) throws IOException {
      Path deep = Files.createDirectories(dir.resolve("d".repeat(100)));

      Throwable failure = onlyFailure(run(OneEndpoint.class,
          Map.of(TraceReplayExtension.ENDPOINT_DIRECTORY_PROPERTY, deep.toString())));

      assertThat(failure).isInstanceOf(ParameterResolutionException.class)
          .hasMessageMatching(Pattern.quote("@TraceEndpoint: the socket path " + deep + "/tr") + "\\d+"
              + Pattern.quote("/sink.sock is ") + "\\d+" + Pattern.quote(" bytes long; AF_UNIX socket paths hold at"
              + " most 107 bytes. Set the configuration parameter tracereplay.endpoint.directory to a shorter"
              + " directory (the default is /tmp)"));
      try (var left = Files.list(deep)) {
        assertThat(left).as("the directory made for the test is deleted").isEmpty();
      }
    }

    @Test
    void anEndpointDirectoryThatCannotBeCreatedFailsTheTest(@TempDir Path dir) {
      Path missing = dir.resolve("missing");

      Throwable failure = onlyFailure(run(OneEndpoint.class,
          Map.of(TraceReplayExtension.ENDPOINT_DIRECTORY_PROPERTY, missing.toString())));

      assertThat(failure).isInstanceOf(ParameterResolutionException.class)
          .hasMessageStartingWith("@TraceEndpoint: cannot create a private directory in " + missing + ": ")
          .hasMessageEndingWith(". Set the configuration parameter tracereplay.endpoint.directory to a short"
              + " directory this test may write to");
    }
  }

  // ---- The test classes run through the engine above ----

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class ReplayIntoRecordingSink {
    @Test
    void overASocket(@ReplayTrace("shell-common.trace") TraceReplayer replayer, @TraceEndpoint Path endpoint)
        throws Exception {
      try (RecordingSink sink = new RecordingSink().start(endpoint)) {
        assertThat(replayer.replayTo(endpoint)).deliveredAll().sinkAnsweredVersion(1).hasSentMessages(444);
        assertThat(replayer).matchesReceived(sink.awaitMessages(444, TIMEOUT));
      }
    }

    @Test
    void inMemory(@ReplayTrace("shell-common.trace") TraceReplayer replayer) throws Exception {
      try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
        assertThat(replayer.replayTo(channel)).deliveredAll();
        assertThat(replayer).matchesReceived(sink.awaitMessages(444, TIMEOUT));
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class MethodDefault {
    @Test
    @ReplayTrace("shell-common.trace")
    void test(TraceReplayer first, TraceReplayer second) {
      assertThat(first).hasMessageCount(444);
      assertThat(second).hasMessageCount(444);
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  @ReplayTrace("true-start.trace")
  static class ClassDefault {
    @Test
    void takesTheClassDefault(TraceReplayer replayer) {
      assertThat(replayer).hasMessageCount(1);
    }

    @Test
    @ReplayTrace("shell-common.trace")
    void aMethodAnnotationOverridesTheClass(TraceReplayer replayer) {
      assertThat(replayer).hasMessageCount(444);
    }

    @Test
    @ReplayTrace("shell-common.trace")
    void aParameterAnnotationOverridesTheMethod(@ReplayTrace("true-start.trace") TraceReplayer replayer) {
      assertThat(replayer).hasMessageCount(1);
    }

    @Nested
    class Inner {
      @Test
      void takesTheEnclosingClassDefault(TraceReplayer replayer) {
        assertThat(replayer).hasMessageCount(1);
      }
    }

    @Nested
    @ReplayTrace("shell-common.trace")
    class InnerWithItsOwnDefault {
      @Test
      void takesItsOwnDefault(TraceReplayer replayer) {
        assertThat(replayer).hasMessageCount(444);
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class TwoTraces {
    @Test
    void test(@ReplayTrace("shell-common.trace") TraceReplayer shell, @ReplayTrace("true-start.trace") TraceReplayer start,
        @TraceEndpoint Path endpoint) throws Exception {
      ExecutorService sandboxes = Executors.newFixedThreadPool(2);
      try (RecordingSink sink = new RecordingSink().start(endpoint)) {
        Future<ReplayResult> first = sandboxes.submit(() -> shell.replayTo(endpoint));
        Future<ReplayResult> second = sandboxes.submit(() -> start.replayTo(endpoint));
        assertThat(first.get()).deliveredAll().hasSentMessages(444);
        assertThat(second.get()).deliveredAll().hasSentMessages(1);

        sink.awaitClosedConnections(2, TIMEOUT);
        Map<Long, List<ReceivedMessage>> byClient = sink.messages().stream()
            .collect(Collectors.groupingBy(ReceivedMessage::client));
        assertThat(byClient).hasSize(2);
        for (List<ReceivedMessage> session : byClient.values()) {
          assertThat(session.size() == 1 ? start : shell).matchesReceived(session);
        }
      } finally {
        sandboxes.shutdownNow();
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class ClassSpecificTrace {
    @Test
    void test(@ReplayTrace("true-start.trace") TraceReplayer replayer) {
      assertThat(replayer).hasMessageCount(2);
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class CommonTrace {
    @Test
    void findsTheCommonFolder(@ReplayTrace("true-start.trace") TraceReplayer replayer) {
      assertThat(replayer).hasMessageCount(1);
    }

    @Test
    void findsAFileRelativeToTheWorkingDirectory(
        @ReplayTrace("../fixtures/shell-common.trace") TraceReplayer replayer) {
      assertThat(replayer.trace()).isEqualTo(Path.of("../fixtures/shell-common.trace").toAbsolutePath().normalize());
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class Endpoints {
    @Test
    void test(@TraceEndpoint Path first, @TraceEndpoint Path second, TestReporter reporter) throws IOException {
      reporter.publishEntry("endpoint", first.toString());
      reporter.publishEntry("endpoint", second.toString());
      assertThat(first).doesNotExist().hasFileName("sink.sock");
      assertThat(second).doesNotExist().hasFileName("sink-2.sock");
      assertThat(first.getParent()).isEqualTo(second.getParent()).hasParent(Path.of("/tmp"));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.getParent()))).isEqualTo("rwx------");
      assertThat(second.toString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(107);
      try (RecordingSink one = new RecordingSink().start(first);
          RecordingSink two = new RecordingSink().start(second)) {
        assertThat(one.endpoint()).exists();
        assertThat(two.endpoint()).exists();
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class FailingTestWithEndpoint {
    @Test
    void test(@TraceEndpoint Path endpoint, TestReporter reporter) throws IOException {
      reporter.publishEntry("endpoint", endpoint.toString());
      try (RecordingSink sink = new RecordingSink().start(endpoint)) {
        assertThat(sink.endpoint()).exists();
        fail("failing on purpose");
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class ConstructorParameters {
    private final Path endpoint;
    private final TraceReplayer replayer;

    ConstructorParameters(@TraceEndpoint Path endpoint, @ReplayTrace("true-start.trace") TraceReplayer replayer) {
      this.endpoint = endpoint;
      this.replayer = replayer;
    }

    @Test
    void first(TestReporter reporter) throws Exception {
      replays(reporter);
    }

    @Test
    void second(TestReporter reporter) throws Exception {
      replays(reporter);
    }

    private void replays(TestReporter reporter) throws Exception {
      reporter.publishEntry("endpoint", endpoint.toString());
      try (RecordingSink sink = new RecordingSink().start(endpoint)) {
        assertThat(replayer.replayTo(endpoint)).deliveredAll();
        assertThat(replayer).matchesReceived(sink.awaitMessages(1, TIMEOUT));
      }
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class OneEndpoint {
    @Test
    void test(@TraceEndpoint Path endpoint, TestReporter reporter) {
      reporter.publishEntry("endpoint", endpoint.toString());
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class MissingTrace {
    @Test
    void test(@ReplayTrace("no-such-trace") TraceReplayer replayer) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class NotATrace {
    @Test
    void test(@ReplayTrace("not-a-trace") TraceReplayer replayer) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class EndpointOfWrongType {
    @Test
    void test(@TraceEndpoint String endpoint) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class TraceOfWrongType {
    @Test
    void test(@ReplayTrace("true-start.trace") Path trace) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class BlankTrace {
    @Test
    void test(@ReplayTrace(" ") TraceReplayer replayer) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class EndpointAndTrace {
    @Test
    void test(@TraceEndpoint @ReplayTrace("true-start.trace") Path path) {}
  }
}
