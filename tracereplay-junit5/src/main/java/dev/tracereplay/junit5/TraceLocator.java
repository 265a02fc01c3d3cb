package dev.tracereplay.junit5;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the file of a {@link ReplayTrace#value()}: the class path resources
 * {@code tracereplay/<TestClass>/<value>} (the test class, then each enclosing class),
 * {@code tracereplay/<value>} and {@code <value>}, then the file {@code <value>}, absolute or
 * relative to the working directory. The order is the contract documented on {@link ReplayTrace}.
 */
final class TraceLocator {
  /** The folder of traces on the class path. */
  static final String RESOURCE_FOLDER = "tracereplay/";

  private final ClassLoader loader;
  private final Path workingDirectory;

  TraceLocator(ClassLoader loader, Path workingDirectory) {
    this.loader = loader;
    this.workingDirectory = workingDirectory;
  }

  /** Copies a resource that is not a plain file, e.g. one inside a jar, to a file. */
  @FunctionalInterface
  interface Copier {
    Path copy(URL resource, String fileName) throws IOException;
  }

  /**
   * One place a trace is looked for.
   *
   * @param resource the class path resource name, or null for a file
   * @param file the file, or null for a resource
   */
  record Place(String resource, Path file) {
    @Override
    public String toString() {
      return resource != null ? "class path resource " + resource : "file " + file;
    }
  }

  /**
   * A trace found.
   *
   * @param file the file to read (for a resource inside a jar, its copy)
   * @param place where it was found
   */
  record Found(Path file, Place place) {}

  /**
   * The places {@code value} is looked for, in order.
   *
   * @param testClasses the test class first, then the classes enclosing it from the inside out
   */
  List<Place> places(String value, List<Class<?>> testClasses) {
    List<Place> places = new ArrayList<>();
    Path asFile;
    try {
      asFile = Path.of(value);
    } catch (InvalidPathException notAPath) {
      asFile = null;
    }
    if (asFile == null || !asFile.isAbsolute()) {
      for (Class<?> testClass : testClasses) {
        places.add(new Place(RESOURCE_FOLDER + testClass.getSimpleName() + "/" + value, null));
      }
      places.add(new Place(RESOURCE_FOLDER + value, null));
      places.add(new Place(value, null));
    }
    if (asFile != null) {
      places.add(new Place(null, workingDirectory.resolve(asFile).normalize()));
    }
    return places;
  }

  /** The first of {@link #places} that holds a regular file, or empty. */
  Optional<Found> find(String value, List<Class<?>> testClasses, Copier copier) throws IOException {
    for (Place place : places(value, testClasses)) {
      Path file = place.resource() != null ? resource(place.resource(), copier) : place.file();
      if (file != null && Files.isRegularFile(file)) {
        return Optional.of(new Found(file, place));
      }
    }
    return Optional.empty();
  }

  private Path resource(String name, Copier copier) throws IOException {
    URL url = loader.getResource(name);
    if (url == null || name.endsWith("/")) {
      return null;
    }
    if ("file".equals(url.getProtocol())) {
      try {
        return Path.of(url.toURI());
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new IOException("the class path resource " + name + " has the unreadable URL " + url, e);
      }
    }
    if (url.getPath().endsWith("/")) {
      return null;
    }
    return copier.copy(url, name.substring(name.lastIndexOf('/') + 1));
  }
}
