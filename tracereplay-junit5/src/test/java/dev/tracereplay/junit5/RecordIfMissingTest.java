package dev.tracereplay.junit5;

import static dev.tracereplay.junit5.EngineRuns.assertAllPassed;
import static dev.tracereplay.junit5.EngineRuns.onlyFailure;
import static dev.tracereplay.junit5.EngineRuns.published;
import static dev.tracereplay.junit5.EngineRuns.run;
import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThat;
import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThatTrace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.points.TraceMessageReader;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.Events;

/**
 * {@code @ReplayTrace(record = @Runsc(...))} through the engine, recording into a temporary
 * project's {@code src/test/resources} ({@link Runsc#RECORD_DIRECTORY_PROPERTY}). Where runsc must
 * not start, a script stands in for it that leaves a mark when run.
 */
@Timeout(300)
class RecordIfMissingTest {
  @TempDir Path project;
  private Path resources;
  private Path forbiddenRunsc;

  @BeforeEach
  void createTheProject() throws IOException {
    Files.writeString(project.resolve("pom.xml"), "<project/>");
    resources = Files.createDirectories(project.resolve("src/test/resources"));
    forbiddenRunsc = project.resolve("runsc");
    Files.writeString(forbiddenRunsc, "#!/bin/sh\ntouch \"$0.started\"\nexit 1\n");
    Files.setPosixFilePermissions(forbiddenRunsc, PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void aMissingTraceIsRecordedIntoTheSourceResourcesThenReplayed() throws IOException {
    requireRunsc();

    Events tests = run(RecordsEcho.class, configuration("missing"));

    assertAllPassed(tests, 1);
    Path recorded = resources.resolve("tracereplay/RecordsEcho/echo-hello");
    assertThat(published(tests, "tracereplay.recorded")).containsExactly(recorded.toString());
    assertThatTrace(recorded).containsType(MessageType.SYSCALL_WRITE);
    assertThat(args(recorded)).isEmpty(); // container/start was not asked for
  }

  @Test
  void aTraceThatIsThereIsReplayedAndRunscNeverStarts() throws IOException {
    Path present = resources.resolve("tracereplay/ReplaysOneMessage/present");
    Files.createDirectories(present.getParent());
    Files.copy(TestTraces.TRUE_START, present);

    for (String mode : List.of("missing", "none")) {
      Map<String, String> configuration = configuration(mode);
      configuration.put(Runsc.RUNSC_PROPERTY, forbiddenRunsc.toString());
      assertAllPassed(run(ReplaysOneMessage.class, configuration), 1);
    }

    assertThat(Path.of(forbiddenRunsc + ".started")).as("runsc was started").doesNotExist();
    assertThat(present).hasSameBinaryContentAs(TestTraces.TRUE_START);
  }

  @Test
  void underNoneAMissingTraceFailsNamingThePropertyTheFileAndTheCommand() {
    Map<String, String> configuration = configuration("none");
    configuration.put(Runsc.RUNSC_PROPERTY, forbiddenRunsc.toString());

    Throwable failure = onlyFailure(run(RecordsEcho.class, configuration));

    Path file = resources.resolve("tracereplay/RecordsEcho/echo-hello");
    assertThat(failure).isInstanceOf(ParameterResolutionException.class).hasMessage("@ReplayTrace(\"echo-hello\")"
        + " found no trace, and tracereplay.record is none, so it is not recorded. Recording it would write " + file
        + " by running " + forbiddenRunsc + " --rootless --network=none do /bin/echo hello (trace points:"
        + " syscall/write/enter, syscall/write/exit; context fields: process_name). Record it where runsc runs"
        + " (-Dtracereplay.record=missing), then commit the file.");
    assertThat(file).doesNotExist();
    assertThat(Path.of(forbiddenRunsc + ".started")).doesNotExist();
  }

  @Test
  void underCiTrueNothingIsRecordedByDefault() throws Exception {
    Path output = project.resolve("engine.out");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), EngineMain.class.getName(), RecordsEcho.class.getName(),
        Runsc.RECORD_DIRECTORY_PROPERTY + "=" + resources, Runsc.RUNSC_PROPERTY + "=" + forbiddenRunsc)
        .redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("CI", "true");
    Process engine = builder.start();
    assertThat(engine.waitFor(120, TimeUnit.SECONDS)).as("the engine's JVM ended").isTrue();

    assertThat(Files.readString(output, StandardCharsets.UTF_8)).contains("FAILED @ReplayTrace(\"echo-hello\") found no"
        + " trace, and tracereplay.record is none (its default when the environment variable CI is true), so it is"
        + " not recorded. Recording it would write " + resources.resolve("tracereplay/RecordsEcho/echo-hello"))
        .contains("passed 0");
    assertThat(Path.of(forbiddenRunsc + ".started")).doesNotExist();
  }

  @Test
  void allRecordsAgainATraceThatIsThere() throws IOException {
    requireRunsc();
    Path present = resources.resolve("tracereplay/RecordsEcho/echo-hello");
    Files.createDirectories(present.getParent());
    Files.copy(TestTraces.TRUE_START, present);

    Events tests = run(RecordsEcho.class, configuration("all"));

    assertAllPassed(tests, 1);
    assertThatTrace(present).containsType(MessageType.SYSCALL_WRITE);
    try (var files = Files.list(present.getParent())) {
      assertThat(files).as("no temporary file left").containsExactly(present);
    }
  }

  @Test
  void testsRecordingAtOnceEachGetASandboxAndTheOnesOfOneTraceShareOneRecording() throws IOException {
    requireRunsc();
    Map<String, String> configuration = configuration("missing");
    configuration.put("junit.jupiter.execution.parallel.enabled", "true");
    configuration.put("junit.jupiter.execution.parallel.mode.default", "concurrent");

    Events tests = run(RecordsAtOnce.class, configuration);

    assertAllPassed(tests, 4);
    Path folder = resources.resolve("tracereplay/RecordsAtOnce");
    assertThat(published(tests, "tracereplay.recorded")).as("the shared trace recorded once").hasSize(3)
        .containsExactlyInAnyOrder(folder.resolve("one").toString(), folder.resolve("two").toString(),
            folder.resolve("three").toString());
    assertThat(args(folder.resolve("one"))).containsExactly("/bin/echo", "one");
    assertThat(args(folder.resolve("two"))).containsExactly("/bin/echo", "two");
    assertThat(args(folder.resolve("three"))).containsExactly("/bin/echo", "three");
  }

  @Nested
  class Failures {

    @Test
    void aCommandEndingWithAnotherExitCodeFailsTheTestAndKeepsNoRecording() {
      requireRunsc();

      Throwable failure = onlyFailure(run(RecordsAFailingCommand.class, configuration("missing")));

      assertThat(failure).isInstanceOf(ParameterResolutionException.class).hasMessageStartingWith(
          "@ReplayTrace(\"fails\"): the recorded command ended with exit code 3, not 0 (@Runsc(exitCode)), so its"
              + " recording was not kept; its output is in the test's output. The command: ");
      assertThat(resources.resolve("tracereplay/RecordsAFailingCommand/fails")).doesNotExist();
    }

    @Test
    void anUnknownPointFailsTheTestNamingTheNearestOnes() {
      requireRunsc();

      Throwable failure = onlyFailure(run(RecordsAnUnknownPoint.class, configuration("missing")));

      assertThat(failure).isInstanceOf(ParameterResolutionException.class).hasMessageStartingWith(
          "@ReplayTrace(\"unknown\"): recording the trace failed: unknown trace point \"syscall/opnat/enter\": runsc"
              + " offers no such trace point. The nearest of the ").hasMessageContaining("syscall/openat/enter");
    }

    @Test
    void aModeThatIsNoneOfTheThreeFailsTheTest() {
      Throwable failure = onlyFailure(run(RecordsEcho.class, configuration("sometimes")));

      assertThat(failure).isInstanceOf(ParameterResolutionException.class)
          .hasMessage("tracereplay.record must be missing, none or all, was 'sometimes'");
    }

    @Test
    void aTraceOutsideTheTestClassFolderIsNotRecorded() {
      Throwable failure = onlyFailure(run(RecordsOutsideItsFolder.class, configuration("missing")));

      assertThat(failure).isInstanceOf(ParameterResolutionException.class).hasMessage("@ReplayTrace(\"../elsewhere\")"
          + " cannot be recorded: a recorded trace needs a relative name inside the test class's folder, e.g."
          + " @ReplayTrace(value = \"cat-passwd\", record = @Runsc(...))");
    }
  }

  @Test
  void theModeIsThePropertyElseNoneUnderCiElseMissing() {
    assertThat(RecordIfMissing.Mode.of(java.util.Optional.empty(), "true")).isEqualTo(RecordIfMissing.Mode.NONE);
    assertThat(RecordIfMissing.Mode.of(java.util.Optional.empty(), null)).isEqualTo(RecordIfMissing.Mode.MISSING);
    assertThat(RecordIfMissing.Mode.of(java.util.Optional.empty(), "false")).isEqualTo(RecordIfMissing.Mode.MISSING);
    assertThat(RecordIfMissing.Mode.of(java.util.Optional.of("all"), "true")).isEqualTo(RecordIfMissing.Mode.ALL);
    assertThat(RecordIfMissing.Mode.of(java.util.Optional.of("Missing "), "true")).isEqualTo(RecordIfMissing.Mode.MISSING);
  }

  private Map<String, String> configuration(String mode) {
    Map<String, String> configuration = new HashMap<>();
    configuration.put(Runsc.RECORD_PROPERTY, mode);
    configuration.put(Runsc.RECORD_DIRECTORY_PROPERTY, resources.toString());
    return configuration;
  }

  /** The command line of the recording's container start, or none when it has no such message. */
  private static List<String> args(Path trace) throws IOException {
    try (TraceMessageReader reader = TraceMessageReader.open(trace)) {
      for (var message = reader.next(); message != null; message = reader.next()) {
        if (message.type() == MessageType.CONTAINER_START) {
          return message.as(Start.class).getArgsList();
        }
      }
    }
    return List.of();
  }

  /** Skips on a machine without runsc, and fails under CI=true, as the core's runsc tests do. */
  private static void requireRunsc() {
    boolean installed = dev.tracereplay.runsc.Runsc.locate().isPresent();
    assertThat(installed || !"true".equals(System.getenv("CI"))).as("runsc is installed under CI=true").isTrue();
    assumeTrue(installed, "runsc is not installed (apt-get install -y runsc)");
  }

  // ---- The test classes run through the engine above ----

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class RecordsEcho {
    @Test
    @ReplayTrace(value = "echo-hello", record = @Runsc(command = {"/bin/echo", "hello"},
        points = {"syscall/write/enter", "syscall/write/exit"}, contextFields = "process_name"))
    void replaysTheWrites(TraceReplayer sandbox) {
      assertThat(sandbox).containsType(MessageType.SYSCALL_WRITE);
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class ReplaysOneMessage {
    @Test
    @ReplayTrace(value = "present", record = @Runsc(command = "/bin/true"))
    void replaysTheTraceThatIsThere(TraceReplayer sandbox) {
      assertThat(sandbox).hasMessageCount(1);
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class RecordsAtOnce {
    @Test
    @ReplayTrace(value = "one", record = @Runsc(command = {"/bin/echo", "one"}, points = "container/start"))
    void one(TraceReplayer sandbox) {
      assertThat(sandbox).hasMessageCount(1);
    }

    @Test
    @ReplayTrace(value = "two", record = @Runsc(command = {"/bin/echo", "two"}, points = "container/start"))
    void two(TraceReplayer sandbox) {
      assertThat(sandbox).hasMessageCount(1);
    }

    @Test
    @ReplayTrace(value = "three", record = @Runsc(command = {"/bin/echo", "three"}, points = "container/start"))
    void three(TraceReplayer sandbox) {
      assertThat(sandbox).hasMessageCount(1);
    }

    @Test
    @ReplayTrace(value = "three", record = @Runsc(command = {"/bin/echo", "three"}, points = "container/start"))
    void threeAgain(TraceReplayer sandbox) {
      assertThat(sandbox).hasMessageCount(1);
    }
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class RecordsAFailingCommand {
    @Test
    @ReplayTrace(value = "fails", record = @Runsc(command = {"/bin/sh", "-c", "exit 3"}, points = "container/start"))
    void neverRuns(TraceReplayer sandbox) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class RecordsAnUnknownPoint {
    @Test
    @ReplayTrace(value = "unknown", record = @Runsc(command = "/bin/true", points = "syscall/opnat/enter"))
    void neverRuns(TraceReplayer sandbox) {}
  }

  @EngineTestKitOnly
  @ExtendWith(TraceReplayExtension.class)
  static class RecordsOutsideItsFolder {
    @Test
    @ReplayTrace(value = "../elsewhere", record = @Runsc(command = "/bin/true"))
    void neverRuns(TraceReplayer sandbox) {}
  }
}
