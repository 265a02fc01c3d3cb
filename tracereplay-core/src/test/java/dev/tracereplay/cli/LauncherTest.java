package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./tracereplay} launcher at the repository root, copied into a directory laid out
 * like the repository (tests run before the package phase, so the real jar does not exist yet).
 */
@Timeout(60)
class LauncherTest {
  /** Surefire runs in the module's directory; the launcher is one level up. */
  static final Path LAUNCHER = Path.of("..", "tracereplay").toAbsolutePath().normalize();

  @TempDir Path repo;

  record Run(int exitCode, String out, String err) {}

  @Test
  void withoutABuildSaysWhichCommandToRunFirst() throws Exception {
    Run run = run("--help");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("tracereplay: the build is missing (" + repo
        + "/tracereplay-core/target/tracereplay-core-<version>.jar). Build it first:\n"
        + "  cd " + repo + " && mvn -B -q package -DskipTests\n");
  }

  @Test
  void runsTheCommandOnTheBuiltJarAndTheClassPathFile() throws Exception {
    Path target = Files.createDirectories(repo.resolve("tracereplay-core").resolve("target"));
    try (ZipOutputStream emptyJar = new ZipOutputStream(Files.newOutputStream(target.resolve(
        "tracereplay-core-0.0.0.jar")))) {
      emptyJar.setComment("stands for the built jar; the classes come from the class path file");
    }
    Files.writeString(target.resolve("runtime-classpath.txt"), System.getProperty("java.class.path"));
    Path trace = Fixtures.copy("true-start.trace", repo);

    Run run = run("verify", "--in=" + trace);

    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo(trace + ": valid trace, version 1, 1 records, 81 bytes\n");
  }

  private Run run(String... args) throws IOException, InterruptedException {
    assertThat(LAUNCHER).as("the launcher at the repository root").isRegularFile();
    Path launcher = Files.copy(LAUNCHER, repo.resolve("tracereplay"));
    List<String> command = new ArrayList<>(List.of("bash", launcher.toString()));
    command.addAll(List.of(args));
    Path out = repo.resolve("stdout.txt");
    Path err = repo.resolve("stderr.txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    try {
      assertThat(process.waitFor(50, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      process.destroyForcibly();
    }
  }
}
