package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fixtures;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./tracereplay} launcher at the repository root, copied into a directory laid out
 * like the repository (tests run before the package phase, so the real jar does not exist yet).
 */
@Timeout(60)
class LauncherTest {
  /** Surefire runs in the module's directory; the launcher is one level up. */
  static final Path LAUNCHER = Path.of("..", "tracereplay").toAbsolutePath().normalize();

  @TempDir Path repo;

  record Run(int exitCode, String out, String err) {}

  @Test
  void withoutABuildSaysWhichCommandToRunFirst() throws Exception {
    Run run = run("--help");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("tracereplay: the build is missing (" + repo
        + "/tracereplay-core/target/tracereplay-core-<version>.jar). Build it first:\n"
        + "  cd " + repo + " && mvn -B -q package -DskipTests\n");
  }

  @Test
  void runsTheCommandOnTheBuiltJarAndTheClassPathFile() throws Exception {
    Path target = buildOnTheTestClassPath();
    Path trace = Fixtures.copy("true-start.trace", repo);

    Run run = run("verify", "--in=" + trace);

    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo(trace + ": valid trace, version 1, 1 records, 81 bytes\n");
    assertThat(target.resolve("startup")).as("no start-up archive for a class path with directories").doesNotExist();
  }

  /**
   * The start-up archive: made by the first run, used by the next, ignored (with nothing on
   * stdout) when it is damaged, and made again after a rebuild. Runs on a jar of the main classes,
   * as the package phase would build it, and the jars of the test class path.
   */
  @Test
  @Timeout(600)
  void makesAStartUpArchiveOnceUsesItAndMakesItAgainAfterARebuild() throws Exception {
    Path target = Files.createDirectories(repo.resolve("tracereplay-core").resolve("target"));
    Path jar = target.resolve("tracereplay-core-0.0.0.jar");
    jarOf(Path.of("target", "classes"), jar);
    Files.writeString(target.resolve("runtime-classpath.txt"), testClassPathJars());
    Path trace = Fixtures.copy("true-start.trace", repo);
    String verified = trace + ": valid trace, version 1, 1 records, 81 bytes\n";
    Path classes = repo.resolve("classes.log");
    String logClasses = "-Xlog:class+load:file=" + classes;

    Run first = run("verify", "--in=" + trace);

    assertThat(first.out()).isEqualTo(verified);
    assertThat(first.err()).isEmpty();
    assertThat(first.exitCode()).isZero();
    Path startup = target.resolve("startup");
    Path stamp;
    try (Stream<Path> files = Files.list(startup)) {
      stamp = files.filter(file -> file.toString().endsWith(".stamp")).findFirst().orElseThrow();
    }
    assertThat(Files.readAllLines(stamp)).as("the stamp; the log: %s", log(stamp)).first().isEqualTo("made");
    Path archive = Path.of(stamp.toString().replaceFirst("\\.stamp$", Runtime.version().feature() >= 25 ? ".aot" : ".jsa"));
    assertThat(archive).isRegularFile();

    Run second = run(Map.of("TRACEREPLAY_JAVA_OPTS", logClasses), "verify", "--in=" + trace);

    assertThat(second.out()).isEqualTo(verified);
    assertThat(second.err()).isEmpty();
    assertThat(Files.readString(classes)).contains("dev.tracereplay.cli.Tracereplay source: shared objects file");

    Files.write(archive, new byte[64 * 1024]); // damaged: the JVM refuses it, whatever it says goes to stderr
    Run damaged = run("verify", "--in=" + trace);

    assertThat(damaged.out()).isEqualTo(verified);
    assertThat(damaged.exitCode()).isZero();

    Files.setLastModifiedTime(jar, FileTime.from(Files.getLastModifiedTime(stamp).toInstant().plusSeconds(1)));
    Run rebuilt = run(Map.of("TRACEREPLAY_JAVA_OPTS", logClasses), "verify", "--in=" + trace);

    assertThat(rebuilt.out()).isEqualTo(verified);
    assertThat(rebuilt.err()).isEmpty();
    assertThat(Files.readAllLines(stamp)).first().isEqualTo("made");
    assertThat(Files.readString(classes)).contains("dev.tracereplay.cli.Tracereplay source: shared objects file");
  }

  /**
   * The JVM's own warnings go to stderr: stdout carries only the command's output, which scripts
   * compare byte for byte. Here the JVM is given an archive made for another class path, which it
   * refuses with a warning ("Unable to use shared archive"), on stdout by default.
   */
  @Test
  @Timeout(300)
  void theJvmsWarningsGoToStderrNotStdout() throws Exception {
    Path target = buildOnTheTestClassPath();
    Path trace = Fixtures.copy("true-start.trace", repo);
    Path otherJar = repo.resolve("other.jar");
    jarOf(Path.of("target", "classes"), otherJar);
    Path otherArchive = repo.resolve("other.jsa");
    Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:ArchiveClassesAtExit=" + otherArchive, "-cp", otherJar + File.pathSeparator + testClassPathJars(),
        Tracereplay.class.getName(), "--version").redirectErrorStream(true).redirectOutput(repo.resolve("dump.log").toFile())
        .start();
    assertThat(dump.waitFor(240, TimeUnit.SECONDS)).as("the archive for another class path was made").isTrue();
    assertThat(otherArchive).as(Files.readString(repo.resolve("dump.log"))).isRegularFile();

    Run run = run(Map.of("TRACEREPLAY_JAVA_OPTS", "-XX:SharedArchiveFile=" + otherArchive), "verify", "--in=" + trace);

    assertThat(run.out()).isEqualTo(trace + ": valid trace, version 1, 1 records, 81 bytes\n");
    assertThat(run.err()).contains("[cds");
    assertThat(run.exitCode()).isZero();
  }

  /**
   * junixsocket's native library comes from target/junixsocket-native (where the package phase
   * unpacks it) for this machine's architecture and the class path's junixsocket version; without
   * it there, junixsocket extracts its own copy to a temporary file, as before.
   */
  @Test
  @Timeout(300)
  void loadsJunixsocketsLibraryFromTargetWhenThePackagePhaseUnpackedIt() throws Exception {
    Path target = Files.createDirectories(repo.resolve("tracereplay-core").resolve("target"));
    jarOf(Path.of("target", "classes"), target.resolve("tracereplay-core-0.0.0.jar"));
    Files.writeString(target.resolve("runtime-classpath.txt"), testClassPathJars());
    Path nativeJar = Arrays.stream(testClassPathJars().split(File.pathSeparator)).map(Path::of)
        .filter(jar -> jar.getFileName().toString().startsWith("junixsocket-native-common-")).findFirst().orElseThrow();
    String version = nativeJar.getFileName().toString().replaceFirst("^junixsocket-native-common-(.*)\\.jar$", "$1");
    String entry = "lib/" + System.getProperty("os.arch") + "-Linux-clang/jni/libjunixsocket-native-" + version + ".so";
    Path library = target.resolve("junixsocket-native").resolve(entry);
    Path log = repo.resolve("library.log");
    Map<String, String> environment = Map.of("TRACEREPLAY_STARTUP_ARCHIVE", "off",
        "TRACEREPLAY_JAVA_OPTS", "-Xlog:library=info:file=" + log);

    Run extracted = run(environment, "demo", "--recording=start", "-q");

    assertThat(extracted.exitCode()).as(extracted.err()).isZero();
    assertThat(Files.readString(log)).contains("Loaded library ").doesNotContain("Loaded library " + library);

    try (JarFile jar = new JarFile(nativeJar.toFile())) {
      JarEntry so = jar.getJarEntry(entry);
      assertThat(so).as("%s in %s", entry, nativeJar).isNotNull();
      Files.createDirectories(library.getParent());
      try (InputStream in = jar.getInputStream(so)) {
        Files.copy(in, library);
      }
    }
    Run unpacked = run(environment, "demo", "--recording=start", "-q");

    assertThat(unpacked.exitCode()).as(unpacked.err()).isZero();
    assertThat(Files.readString(log)).contains("Loaded library " + library + ",");
  }

  /**
   * Stands for the package phase's output: an empty core jar (its name is what the launcher looks
   * for) and a class path file listing this test's class path, which holds the classes.
   */
  private Path buildOnTheTestClassPath() throws IOException {
    Path target = Files.createDirectories(repo.resolve("tracereplay-core").resolve("target"));
    try (ZipOutputStream emptyJar = new ZipOutputStream(Files.newOutputStream(target.resolve(
        "tracereplay-core-0.0.0.jar")))) {
      emptyJar.setComment("stands for the built jar; the classes come from the class path file");
    }
    Files.writeString(target.resolve("runtime-classpath.txt"), System.getProperty("java.class.path"));
    return target;
  }

  private static String testClassPathJars() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> entry.endsWith(".jar")).collect(Collectors.joining(File.pathSeparator));
  }

  private static void jarOf(Path classes, Path jar) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
  }

  private static String log(Path stamp) throws IOException {
    Path log = Path.of(stamp.toString().replaceFirst("\\.stamp$", ".log"));
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }

  private Run run(String... args) throws IOException, InterruptedException {
    return run(Map.of(), args);
  }

  private Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
    assertThat(LAUNCHER).as("the launcher at the repository root").isRegularFile();
    Path launcher = repo.resolve("tracereplay");
    if (!Files.exists(launcher)) { // copied once: a newer launcher would make the start-up archive again
      Files.copy(LAUNCHER, launcher);
    }
    List<String> command = new ArrayList<>(List.of("bash", launcher.toString()));
    command.addAll(List.of(args));
    Path out = repo.resolve("stdout.txt");
    Path err = repo.resolve("stderr.txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().remove("TRACEREPLAY_JAVA_OPTS");
    builder.environment().remove("TRACEREPLAY_STARTUP_ARCHIVE");
    builder.environment().putAll(environment);
    Process process = builder.start();
    try {
      assertThat(process.waitFor(240, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      process.destroyForcibly();
    }
  }
}
