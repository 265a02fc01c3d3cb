package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.server.ServerConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up before save listens: real sockets and files, and nothing left behind whatever happens. */
@Timeout(60)
class SaveWarmUpTest {
  private static final int MAX_MESSAGE_SIZE = ServerConfig.defaults().maxMessageSize();

  @TempDir Path parent;

  @Test
  void recordsEveryMessageOfEveryGenerationWithItsPausesAndLeavesNothingBehind() {
    SaveWarmUp.Outcome outcome = SaveWarmUp.run(parent, MAX_MESSAGE_SIZE, Duration.ofSeconds(50));

    assertThat(outcome).isEqualTo(new SaveWarmUp.Outcome((long) SaveWarmUp.GENERATIONS * SaveWarmUp.CLIENTS
        * SaveWarmUp.BURSTS * SaveWarmUp.BURST, SaveWarmUp.GENERATIONS * SaveWarmUp.BURSTS, true));
    assertThat(parent).isEmptyDirectory();
  }

  @Test
  void aTimeLimitAlreadyPassedStopsItWhereItIsAndLeavesNothingBehind() {
    SaveWarmUp.Outcome outcome = SaveWarmUp.run(parent, MAX_MESSAGE_SIZE, Duration.ZERO);

    assertThat(outcome.completed()).isFalse();
    assertThat(outcome.pauses()).isZero();
    assertThat(parent).isEmptyDirectory();
  }

  @Test
  void aDirectoryTooLongForASocketPathCostsOnlyTheWarmUpAndIsLeftEmpty() throws Exception {
    // sun_path holds 108 bytes: the warm-up's recorder cannot bind there.
    Path deep = Files.createDirectories(parent.resolve("d".repeat(120)));

    SaveWarmUp.Outcome outcome = SaveWarmUp.run(deep, MAX_MESSAGE_SIZE, Duration.ofSeconds(50));

    assertThat(outcome).isEqualTo(new SaveWarmUp.Outcome(0, 0, false));
    assertThat(deep).isEmptyDirectory();
  }

  @Test
  void aMissingTemporaryDirectoryCostsOnlyTheWarmUpAndIsNotCreated() {
    Path missing = parent.resolve("missing");

    SaveWarmUp.Outcome outcome = SaveWarmUp.run(missing, MAX_MESSAGE_SIZE, Duration.ofSeconds(50));

    assertThat(outcome).isEqualTo(new SaveWarmUp.Outcome(0, 0, false));
    assertThat(missing).doesNotExist();
  }

  /** The launcher's training run (bin/tracereplay, Java 25+): silent, exit 0 when it ran to its end, 1 when not. */
  @Test
  void asAProgramItPrintsNothingAndSaysInItsExitCodeWhetherItRanToItsEnd() throws Exception {
    assertThat(trainingRun(parent)).isEqualTo("exit 0, stdout '', stderr ''");
    assertThat(parent).isEmptyDirectory();

    Path deep = Files.createDirectories(parent.resolve("d".repeat(120))); // too long for a socket path
    assertThat(trainingRun(deep)).isEqualTo("exit 1, stdout '', stderr ''");
    assertThat(deep).isEmptyDirectory();
  }

  private static String trainingRun(Path temporaryDirectory) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + temporaryDirectory));
    // As the launcher runs it (and CliProcess the commands): no JVM warnings on stderr.
    if (Runtime.version().feature() >= 22) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    if (Runtime.version().feature() >= 23) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), SaveWarmUp.class.getName()));
    Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(50, TimeUnit.SECONDS)).isTrue();
    return "exit " + process.exitValue() + ", stdout '" + out + "', stderr '" + err + "'";
  }
}
