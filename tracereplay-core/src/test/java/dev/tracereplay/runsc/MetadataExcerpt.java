package dev.tracereplay.runsc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** An excerpt of runsc 20221219's {@code runsc trace metadata}: 21 of its 991 points, lines unedited. */
final class MetadataExcerpt {
  private MetadataExcerpt() {}

  static String text() {
    try (InputStream in = MetadataExcerpt.class.getResourceAsStream("metadata-20221219-excerpt.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RunscMetadata parsed() {
    return RunscMetadata.parse(text());
  }
}
