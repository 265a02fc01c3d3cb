package dev.tracereplay.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which module's src/test/resources a test class records into. */
class SourceResourcesTest {
  @TempDir Path dir;

  @Test
  void aMavenModuleIsTwoLevelsAboveItsTestClasses() throws IOException {
    Files.writeString(dir.resolve("pom.xml"), "<project/>");

    assertThat(SourceResources.moduleAbove(Files.createDirectories(dir.resolve("target/test-classes")))).hasValue(dir);
  }

  @Test
  void aGradleModuleIsFourLevelsAboveItsTestClasses() throws IOException {
    Files.writeString(dir.resolve("build.gradle.kts"), "");

    assertThat(SourceResources.moduleAbove(Files.createDirectories(dir.resolve("build/classes/java/test")))).hasValue(dir);
  }

  @Test
  void theNearestModuleWinsOverTheProjectAroundIt() throws IOException {
    Files.writeString(dir.resolve("pom.xml"), "<project/>");
    Path module = Files.createDirectories(dir.resolve("module"));
    Files.writeString(module.resolve("pom.xml"), "<project/>");

    assertThat(SourceResources.moduleAbove(Files.createDirectories(module.resolve("target/test-classes"))))
        .hasValue(module);
  }

  @Test
  void aBuildFileFarAboveIsAnotherProjectsAndDoesNotCount() throws IOException {
    Files.writeString(dir.resolve("pom.xml"), "<project/>");

    assertThat(SourceResources.moduleAbove(Files.createDirectories(dir.resolve("a/b/c/d/e/f")))).isEmpty();
    assertThat(SourceResources.moduleAbove(Files.createDirectories(dir.resolve("a/b/c/d/e")))).hasValue(dir);
  }

  @Test
  void thisModulesTestClassesRecordIntoItsSourceResources() {
    assertThat(SourceResources.of(SourceResourcesTest.class)).hasValueSatisfying(folder ->
        assertThat(folder.toString()).endsWith("tracereplay-junit5/src/test/resources"));
  }
}
