package dev.tracereplay.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceLocatorTest {
  @TempDir Path dir;

  private final List<URL> copied = new ArrayList<>();

  /** Stand-ins for a nested test class and the class enclosing it. */
  static class Outer {
    static class Inner {}
  }

  private static final List<Class<?>> CLASSES = List.of(Outer.Inner.class, Outer.class);

  private Path write(Path root, String name) throws IOException {
    Path file = root.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, name);
  }

  private Optional<TraceLocator.Found> find(TraceLocator locator, String value) throws IOException {
    return locator.find(value, CLASSES, (url, fileName) -> {
      copied.add(url);
      Path copy = dir.resolve("copy-" + fileName);
      try (InputStream in = url.openStream()) {
        Files.copy(in, copy);
      }
      return copy;
    });
  }

  @Test
  void looksInTheTestClassFoldersThenTheCommonFolderThenTheClassPathRootThenTheFile() {
    TraceLocator locator = new TraceLocator(getClass().getClassLoader(), dir);

    assertThat(locator.places("client-0001", CLASSES)).map(TraceLocator.Place::toString).containsExactly(
        "class path resource tracereplay/Inner/client-0001",
        "class path resource tracereplay/Outer/client-0001",
        "class path resource tracereplay/client-0001",
        "class path resource client-0001",
        "file " + dir.resolve("client-0001"));
  }

  @Test
  void anAbsolutePathIsOnlyLookedForAsAFile() {
    TraceLocator locator = new TraceLocator(getClass().getClassLoader(), dir);

    assertThat(locator.places("/data/traces/client-0001", CLASSES)).map(TraceLocator.Place::toString)
        .containsExactly("file /data/traces/client-0001");
  }

  @Test
  void takesTheFirstPlaceThatHoldsAFile() throws IOException {
    Path classes = Files.createDirectory(dir.resolve("classes"));
    Path work = Files.createDirectory(dir.resolve("work"));
    write(classes, "tracereplay/Outer/t");
    write(classes, "tracereplay/t");
    write(classes, "t");
    write(work, "t");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
      TraceLocator locator = new TraceLocator(loader, work);

      assertThat(find(locator, "t")).get().satisfies(found -> {
        assertThat(found.file()).isEqualTo(classes.resolve("tracereplay/Outer/t"));
        assertThat(found.place()).hasToString("class path resource tracereplay/Outer/t");
      });
      Files.delete(classes.resolve("tracereplay/Outer/t"));
      assertThat(find(locator, "t")).get().extracting(TraceLocator.Found::file).isEqualTo(classes.resolve("tracereplay/t"));
      Files.delete(classes.resolve("tracereplay/t"));
      assertThat(find(locator, "t")).get().extracting(TraceLocator.Found::file).isEqualTo(classes.resolve("t"));
      Files.delete(classes.resolve("t"));
      assertThat(find(locator, "t")).get().satisfies(found -> {
        assertThat(found.file()).isEqualTo(work.resolve("t"));
        assertThat(found.place()).hasToString("file " + work.resolve("t"));
      });
      Files.delete(work.resolve("t"));
      assertThat(find(locator, "t")).isEmpty();
    }
    assertThat(copied).isEmpty();
  }

  @Test
  void passesOverADirectoryOfTheSameName() throws IOException {
    Path classes = Files.createDirectory(dir.resolve("classes"));
    Files.createDirectories(classes.resolve("tracereplay/Inner/t"));
    write(classes, "tracereplay/t");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
      assertThat(find(new TraceLocator(loader, dir), "t")).get().extracting(TraceLocator.Found::file)
          .isEqualTo(classes.resolve("tracereplay/t"));
    }
  }

  @Test
  void copiesATraceInsideAJarToAFile() throws IOException {
    Path jar = dir.resolve("traces.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("tracereplay/client-0001"));
      out.write("the trace".getBytes());
      out.closeEntry();
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Optional<TraceLocator.Found> found = find(new TraceLocator(loader, dir), "client-0001");

      assertThat(found).get().satisfies(trace -> {
        assertThat(trace.file()).isEqualTo(dir.resolve("copy-client-0001")).hasContent("the trace");
        assertThat(trace.place()).hasToString("class path resource tracereplay/client-0001");
      });
      assertThat(copied).singleElement().asString().startsWith("jar:file:").endsWith("traces.jar!/tracereplay/client-0001");
    }
  }

  @Test
  void findsAnAbsoluteFile() throws IOException {
    Path trace = write(dir, "elsewhere/client-0001");

    assertThat(find(new TraceLocator(getClass().getClassLoader(), Path.of("/")), trace.toString()))
        .get().extracting(TraceLocator.Found::file).isEqualTo(trace);
  }
}
