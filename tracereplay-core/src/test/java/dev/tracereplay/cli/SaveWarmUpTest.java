package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
}
