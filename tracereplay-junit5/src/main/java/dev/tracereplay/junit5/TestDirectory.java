package dev.tracereplay.junit5;

import dev.tracereplay.channel.UnixSeqPacketListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.CleanupMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private directory of one test: the socket paths of its {@link TraceEndpoint} parameters and
 * the traces copied out of jars for its {@link ReplayTrace} parameters. Created on first use with
 * mode {@code 0700} under a short parent (so socket paths fit AF_UNIX's 107 bytes), and deleted with
 * everything in it by {@link #close()}, which JUnit calls when the test's store is closed, unless
 * its {@link CleanupMode} keeps it: then {@code close()} logs where it is and publishes it as the
 * report entry {@value #KEPT_REPORT_KEY}. Thread-safe.
 *
 * <p>One directory serves every endpoint of a test, so it takes the mode that keeps the most of
 * those its endpoints ask for ({@code NEVER}, then {@code ON_SUCCESS}, then {@code ALWAYS});
 * without an endpoint, the configured default.
 *
 * <p>JUnit 5.13 and later close a store's {@link AutoCloseable} values; 5.12 and earlier close only
 * values that implement {@code Store.CloseableResource}, deprecated since 5.13 but still in 6.x.
 * Implementing both, the directory is deleted on every line of JUnit (once: a version that closes
 * AutoCloseable values does not also call it as a CloseableResource).
 */
@SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5.10 to 5.12 close only those
final class TestDirectory implements AutoCloseable, ExtensionContext.Store.CloseableResource {
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  /** The report entry naming a directory kept after its test. */
  static final String KEPT_REPORT_KEY = "tracereplay.endpoint.kept";

  private static final Logger log = LoggerFactory.getLogger(TestDirectory.class);

  private final Path parent;
  private final ExtensionContext context;
  private final CleanupMode defaultCleanup;
  /** The mode the endpoints asked for, merged; null while none did. */
  private CleanupMode cleanup;
  private Path directory;
  private int endpoints;
  private int copies;
  private boolean closed;

  /**
   * @param context the context whose store holds the directory: its execution exception decides
   *     {@code ON_SUCCESS}
   * @param defaultCleanup the mode when no endpoint asks for one: never {@code DEFAULT}
   */
  TestDirectory(Path parent, ExtensionContext context, CleanupMode defaultCleanup) {
    this.parent = parent;
    this.context = context;
    this.defaultCleanup = defaultCleanup;
  }

  /** How much {@code mode} keeps: ALWAYS 0, ON_SUCCESS 1, NEVER 2. */
  private static int keeps(CleanupMode mode) {
    return switch (mode) {
      case NEVER -> 2;
      case ON_SUCCESS -> 1;
      default -> 0;
    };
  }

  /**
   * A new socket path in the directory, with nothing at it: {@code sink.sock}, then
   * {@code sink-2.sock}, {@code sink-3.sock}...; the directory is kept at least as
   * {@code cleanup} (never {@code DEFAULT}) says.
   *
   * @throws IOException when the directory cannot be created, or the path would be too long
   */
  synchronized Path newEndpoint(CleanupMode cleanup) throws IOException {
    if (this.cleanup == null || keeps(cleanup) > keeps(this.cleanup)) {
      this.cleanup = cleanup;
    }
    int number = ++endpoints;
    Path endpoint = directory().resolve(number == 1 ? "sink.sock" : "sink-" + number + ".sock");
    int length = endpoint.toString().getBytes(StandardCharsets.UTF_8).length;
    if (length > UnixSeqPacketListener.MAX_PATH_BYTES) {
      throw new IOException("the socket path " + endpoint + " is " + length + " bytes long; AF_UNIX socket"
          + " paths hold at most " + UnixSeqPacketListener.MAX_PATH_BYTES + " bytes. Set the configuration"
          + " parameter " + TraceReplayExtension.ENDPOINT_DIRECTORY_PROPERTY + " to a shorter directory"
          + " (the default is " + TraceReplayExtension.DEFAULT_ENDPOINT_DIRECTORY + ")");
    }
    return endpoint;
  }

  /** Copies a class path resource that is not a plain file (e.g. in a jar) into the directory. */
  synchronized Path copy(URL resource, String fileName) throws IOException {
    Path copy = directory().resolve("trace-" + ++copies + "-" + fileName);
    try (InputStream in = resource.openStream()) {
      Files.copy(in, copy);
    }
    return copy;
  }

  private Path directory() throws IOException {
    if (closed) {
      throw new IllegalStateException("the test's directory was already deleted");
    }
    if (directory == null) {
      try {
        directory = Files.createTempDirectory(parent, "tr", OWNER_ONLY);
      } catch (IOException e) {
        throw new IOException("cannot create a private directory in " + parent + ": " + e
            + ". Set the configuration parameter " + TraceReplayExtension.ENDPOINT_DIRECTORY_PROPERTY
            + " to a short directory this test may write to", e);
      }
    }
    return directory;
  }

  /**
   * Deletes the directory and everything in it, unless its cleanup mode keeps it: {@code NEVER},
   * or {@code ON_SUCCESS} after the context failed. Calling it again does nothing.
   */
  @Override
  public synchronized void close() throws IOException {
    closed = true;
    if (directory == null) {
      return;
    }
    Path root = directory;
    directory = null;
    CleanupMode mode = cleanup != null ? cleanup : defaultCleanup;
    boolean failed = context.getExecutionException().isPresent();
    if (mode == CleanupMode.NEVER || (mode == CleanupMode.ON_SUCCESS && failed)) {
      log.info("Kept the endpoint directory {} of {} ({}, cleanup = {}): delete it when done with it", root,
          context.getDisplayName(), failed ? "failed" : "passed", mode);
      context.publishReportEntry(KEPT_REPORT_KEY, root.toString());
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public synchronized String toString() {
    return "TestDirectory[" + (directory != null ? directory : "in " + parent + ", not created") + "]";
  }
}
