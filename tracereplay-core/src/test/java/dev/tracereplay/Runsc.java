package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a real runsc sandbox with a remote-sink trace session. Tests that need runsc call
 * {@link #require()}: without runsc they are skipped on a developer machine and fail under
 * {@code CI=true}, where .ci/run installs it.
 */
public final class Runsc {
  private final Path executable;

  private Runsc(Path executable) {
    this.executable = executable;
  }

  /** The runsc on the PATH; skips the test, or fails it under CI=true, when there is none. */
  public static Runsc require() {
    Optional<Path> found = find();
    if (found.isEmpty()) {
      String message = "runsc is not installed (apt-get install -y runsc; .ci/run does it)";
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail(message + ": tests that need runsc must run under CI=true");
      }
      Assumptions.abort(message);
    }
    return new Runsc(found.get());
  }

  private static Optional<Path> find() {
    List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    directories.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
    return directories.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, "runsc"))
        .filter(Files::isExecutable).findFirst();
  }

  /** A pod-init config with one trace session of {@code points} into the remote sink at {@code endpoint}. */
  public static String podInitConfig(Path endpoint, List<String> points) {
    StringBuilder list = new StringBuilder();
    for (String point : points) {
      list.append(list.length() == 0 ? "" : ", ").append("{\"name\": \"").append(point).append("\"}");
    }
    return "{\"trace_session\": {\"name\": \"Default\", \"points\": [" + list + "], \"sinks\": [{\"name\": \"remote\","
        + " \"config\": {\"endpoint\": \"" + endpoint + "\"}}]}}";
  }

  /**
   * Runs {@code runsc --rootless --network=none --pod-init-config=... do command...} with its
   * output in a file of its own (a sandbox writing to a shared file could overwrite it) and
   * asserts it exits 0 within a minute.
   */
  public void run(Path workDir, Path endpoint, List<String> points, String... command) throws IOException,
      InterruptedException {
    Path config = Files.writeString(workDir.resolve("pod-init.json"), podInitConfig(endpoint, points));
    Path log = workDir.resolve("runsc.log");
    List<String> arguments = new ArrayList<>(List.of(executable.toString(), "--rootless", "--network=none",
        "--pod-init-config=" + config, "do"));
    arguments.addAll(List.of(command));
    Process process = new ProcessBuilder(arguments).directory(new File("/"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("runsc finished within 60 s").isTrue();
      assertThat(process.exitValue()).as("runsc's exit code; its output: %s", Files.readString(log)).isZero();
    } finally {
      process.destroyForcibly();
    }
  }
}
