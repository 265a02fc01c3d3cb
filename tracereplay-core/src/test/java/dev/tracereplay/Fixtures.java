package dev.tracereplay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real runsc recordings of the repository's {@code fixtures/} (see its MANIFEST.md), which the
 * build puts on the test class path in {@code tracereplay/}, copied to files.
 */
public final class Fixtures {
  /** Every fixture's file name. */
  public static final List<String> ALL = List.of("true-start.trace", "shell-common.trace", "loop-all.trace");

  private Fixtures() {}

  /** Copies the fixture {@code name} into {@code directory} and returns the copy's path. */
  public static Path copy(String name, Path directory) {
    Path target = directory.resolve(name);
    try (InputStream in = Fixtures.class.getResourceAsStream("/tracereplay/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture named " + name);
      }
      Files.copy(in, target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
