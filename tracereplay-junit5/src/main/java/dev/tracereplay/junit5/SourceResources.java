package dev.tracereplay.junit5;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Optional;

/**
 * The test resources folder of the module a test class belongs to, where {@link Runsc} writes the
 * traces it records: {@code <module>/src/test/resources}, the module being the nearest directory
 * above the class's code source (Maven's {@code target/test-classes}, Gradle's
 * {@code build/classes/java/test}) that holds a build file.
 */
final class SourceResources {
  static final String FOLDER = "src/test/resources";
  private static final List<String> BUILD_FILES = List.of("pom.xml", "build.gradle", "build.gradle.kts");
  /** Gradle's build/classes/java/test is four levels below its module; a build file further up is another project's. */
  private static final int MAX_LEVELS = 5;

  private SourceResources() {}

  /** The folder of {@code testClass}'s module, or empty when its classes are not in a module's directory. */
  static Optional<Path> of(Class<?> testClass) {
    CodeSource source = testClass.getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    if (location == null || !"file".equals(location.getProtocol())) {
      return Optional.empty();
    }
    try {
      return moduleAbove(Path.of(location.toURI())).map(module -> module.resolve(FOLDER));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The nearest directory at or above {@code classes}, at most five levels up, holding a build file. */
  static Optional<Path> moduleAbove(Path classes) {
    Path directory = classes.toAbsolutePath().normalize();
    for (int level = 0; directory != null && level <= MAX_LEVELS; level++, directory = directory.getParent()) {
      for (String buildFile : BUILD_FILES) {
        if (Files.isRegularFile(directory.resolve(buildFile))) {
          return Optional.of(directory);
        }
      }
    }
    return Optional.empty();
  }

  /** Where the code of {@code testClass} was loaded from, for messages. */
  static String codeSource(Class<?> testClass) {
    CodeSource source = testClass.getProtectionDomain().getCodeSource();
    return source == null || source.getLocation() == null ? "an unknown place" : source.getLocation().toString();
  }
}
