package dev.tracereplay.junit5;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The traces on this module's test class path in {@code tracereplay/}: the repository's
 * {@code fixtures/} and this module's own ({@code src/test/resources/tracereplay/README.md}), as files.
 */
public final class TestTraces {
  /** A real runsc recording of a small shell session: 444 messages. */
  public static final Path SHELL_COMMON = path("shell-common.trace");
  /** A real runsc recording of {@code /bin/true} with only {@code container/start}: 1 message. */
  public static final Path TRUE_START = path("true-start.trace");

  private TestTraces() {}

  public static Path path(String name) {
    URL url = TestTraces.class.getResource("/tracereplay/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no test trace named " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
