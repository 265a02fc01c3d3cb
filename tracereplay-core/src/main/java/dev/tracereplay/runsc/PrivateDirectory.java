package dev.tracereplay.runsc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory only its owner can enter (mode 0700) for one sandbox: its pod-init config, runsc's
 * state and log, the sink's socket and the recording until it is moved into place. Deleted with
 * everything in it when closed, unless {@link #keep() kept} because it holds something a user must
 * not lose. Links inside are deleted, never followed.
 */
final class PrivateDirectory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PrivateDirectory.class);

  private final Path path;
  private boolean kept;

  private PrivateDirectory(Path path) {
    this.path = path;
  }

  static PrivateDirectory create(Path parent) throws IOException {
    try {
      return new PrivateDirectory(Files.createTempDirectory(parent, "tracereplay-runsc-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    } catch (IOException e) {
      throw new IOException("cannot create a private directory for the sandbox in " + parent + ": " + e.getMessage()
          + "; set Sandbox.temporaryDirectory to a short directory this process may write to", e);
    }
  }

  Path path() {
    return path;
  }

  /** Leaves the directory in place when closed. */
  void keep() {
    kept = true;
  }

  @Override
  public void close() {
    if (kept) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      List<Path> deepestFirst = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path entry : deepestFirst) {
        Files.deleteIfExists(entry);
      }
    } catch (IOException e) {
      log.warn("could not delete the sandbox's private directory {}: {}", path, e.toString());
    }
  }
}
