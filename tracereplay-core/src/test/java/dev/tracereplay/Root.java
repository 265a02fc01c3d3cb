package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What only root can set up: a real file system that fills up, files owned by another user. Such
 * a test is skipped when not run as root on a developer machine, and fails under {@code CI=true},
 * where CI runs as root.
 */
public final class Root {
  /** A user that is not this process's: {@code nobody}. */
  public static final int OTHER_UID = 65534;

  private Root() {}

  /** Skips (or fails, under CI=true) the test unless the process runs as root. */
  public static void require(String why) throws IOException {
    if ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0) {
      return;
    }
    String message = why + " needs root";
    if ("true".equals(System.getenv("CI"))) {
      Assertions.fail(message + ": CI runs as root");
    }
    Assumptions.abort(message);
  }

  /** A tmpfs mounted for a test: a disk that really fills up. Closing unmounts it. */
  public record Tmpfs(Path path) implements AutoCloseable {
    @Override
    public void close() throws IOException, InterruptedException {
      new ProcessBuilder("umount", path.toString()).inheritIO().start().waitFor();
    }
  }

  /** Creates the directory {@code path} and mounts a tmpfs of {@code size} (e.g. {@code 256k}) on it. */
  public static Tmpfs tmpfs(Path path, String size) throws IOException, InterruptedException {
    require("mounting a tmpfs");
    Files.createDirectory(path);
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path.toString())
        .redirectErrorStream(true).start();
    String output = new String(mount.getInputStream().readAllBytes());
    assertThat(mount.waitFor()).as("mounting a tmpfs: %s", output).isZero();
    return new Tmpfs(path);
  }

  /** Fills the file system of {@code directory} until no byte fits: a file there takes what is left. */
  public static void fill(Path directory) throws IOException {
    byte[] block = new byte[4096];
    try (var out = Files.newOutputStream(directory.resolve("filler"))) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      // No space left on device.
    }
    try (var out = Files.newOutputStream(directory.resolve("filler-bytes"))) {
      while (true) {
        out.write(0);
        out.flush();
      }
    } catch (IOException full) {
      // Not one byte more.
    }
  }
}
