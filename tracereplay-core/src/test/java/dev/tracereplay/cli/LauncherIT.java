package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tracereplay.Deadline;
import dev.tracereplay.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The installable command line, as a user gets it: the archives the package phase built
 * ({@code target/tracereplay-<version>.tar.gz}, and with {@code -Pruntime-image} the one with a
 * Java runtime inside), unpacked into an empty directory and run through {@code bin/tracereplay};
 * and the checkout's {@code ./tracereplay}, which runs the same launcher. Run by failsafe, after
 * the package phase. Each run gets a clean environment: only what the test gives it.
 */
@Timeout(300)
class LauncherIT {
  static final Duration TIMEOUT = Duration.ofSeconds(120);
  static final String VERSION = System.getProperty("tracereplay.version");
  static final Path DISTRIBUTION = Path.of(System.getProperty("tracereplay.distribution", "missing"));
  static final Path RUNTIME_IMAGE = Path.of(System.getProperty("tracereplay.runtime.image", "missing"));
  static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
  /** Surefire and failsafe run in the module's directory; the checkout's launcher is one level up. */
  static final Path CHECKOUT_LAUNCHER = Path.of("..", "tracereplay").toAbsolutePath().normalize();

  /** Links to the system's tools and to java, outside the tests' directories (JUnit warns of each). */
  static Path links;

  @TempDir Path dir;
  Path home;
  Path trace;

  @BeforeAll
  static void makeLinks() throws IOException {
    links = Files.createTempDirectory("tracereplay-launcher-it-");
    Path tools = Files.createDirectories(links.resolve("tools"));
    for (String tool : List.of("sh", "env", "cksum", "readlink", "uname", "mkdir", "mv", "rm", "sed", "find", "head", "cat")) {
      for (String system : List.of("/usr/bin/", "/bin/")) {
        if (Files.isExecutable(Path.of(system + tool)) && !Files.exists(tools.resolve(tool), LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(tools.resolve(tool), Path.of(system + tool));
        }
      }
    }
    Files.createSymbolicLink(Files.createDirectories(links.resolve("java-only")).resolve("java"),
        JAVA_HOME.resolve("bin/java"));
  }

  @AfterAll
  static void deleteLinks() throws IOException {
    deleteTree(links);
  }

  record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void setUp() throws IOException {
    home = Files.createDirectories(dir.resolve("home"));
    trace = Fixtures.copy("true-start.trace", dir);
  }

  @Nested
  class TheArchive {
    Path install;

    @BeforeEach
    void unpackIt() throws Exception {
      assertThat(DISTRIBUTION).as("the package phase's archive").isRegularFile();
      install = unpacked(DISTRIBUTION, dir.resolve("an install dir")).resolve("tracereplay-" + VERSION);
    }

    @Test
    void runsSaveAndReplayFromTheRootDirectoryWithOnlyAJdkOnThePath() throws Exception {
      Path launcher = install.resolve("bin/tracereplay");
      Path endpoint = dir.resolve("sink.sock");
      Path out = dir.resolve("out");
      Map<String, String> env = env(pathWith(javaOnly(JAVA_HOME)));
      Process save = start(env, Path.of("/"), launcher.toString(), "save", "--endpoint=" + endpoint, "--out=" + out);
      try {
        Deadline.await(TIMEOUT, () -> Files.exists(endpoint) || !save.isAlive());
        assertThat(save.isAlive()).as("save listens").isTrue();

        Run replay = run(env, Path.of("/"), launcher.toString(), "replay", "--endpoint=" + endpoint, "--in=" + trace);

        assertThat(replay.err()).isEmpty();
        assertThat(replay.out()).isEqualTo("Handshake completed\n\rReplaying message: 1\nDone\n");
        assertThat(replay.exitCode()).isZero();
        Deadline.await(TIMEOUT, () -> Files.exists(out.resolve("client-0001"))
            && Files.size(out.resolve("client-0001")) == Files.size(trace));
      } finally {
        save.destroy(); // SIGTERM: the launcher has exec'ed the JVM, which closes its recordings
        assertThat(save.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      }
      assertThat(save.exitValue()).isZero();
      assertThat(out.resolve("client-0001")).hasSameBinaryContentAs(trace);
    }

    /** A script's background job starts with SIGINT ignored; gVisor's save stops on it anyway. */
    @Test
    void aSaveStartedInTheBackgroundOfAScriptStopsOnSigintOnEveryJdk() throws Exception {
      Path endpoint = dir.resolve("sink.sock");
      Path pid = dir.resolve("save.pid");
      Map<String, String> env = env(pathWith(javaOnly(JAVA_HOME)));
      Process shell = start(env, dir, "sh", "-c", "\"$@\" & echo $! >" + pid + "; wait $!", "sh",
          install.resolve("bin/tracereplay").toString(), "save", "--endpoint=" + endpoint, "--out=" + dir.resolve("out"));
      try {
        Deadline.await(TIMEOUT, () -> Files.exists(endpoint) || !shell.isAlive());
        assertThat(shell.isAlive()).as("save listens").isTrue();
        long save = Long.parseLong(Files.readString(pid).trim());
        assertThat(new ProcessBuilder("kill", "-INT", Long.toString(save)).start().waitFor()).isZero();
        assertThat(shell.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("save stopped on SIGINT").isTrue();
      } finally {
        shell.destroyForcibly();
      }
      assertThat(shell.exitValue()).isZero();
      assertThat(Files.readString(dir.resolve("background.out")))
          .isEqualTo("Listening on \"" + endpoint + "\". Press ctrl-C to stop...\nCtrl-C pressed, stopping.\n");
      assertThat(endpoint).doesNotExist();
    }

    @Test
    void findsItsInstallThroughSymlinksOnThePath() throws Exception {
      Path bin = Files.createDirectories(dir.resolve("bin"));
      Path links = Files.createDirectories(dir.resolve("links"));
      Files.createSymbolicLink(links.resolve("tracereplay"), links.relativize(install.resolve("bin/tracereplay")));
      Files.createSymbolicLink(bin.resolve("tracereplay"), Path.of("../links/tracereplay")); // a chain, relative
      Map<String, String> env = env(pathWith(bin, javaOnly(JAVA_HOME)));

      Run byName = run(env, dir, "sh", "-c", "tracereplay verify --in=" + trace);

      assertThat(byName.err()).isEmpty();
      assertThat(byName.out()).isEqualTo(trace + ": valid trace, version 1, 1 records, 81 bytes\n");

      Run fromItsDirectory = run(env, install.resolve("bin"), "sh", "tracereplay", "--version");

      assertThat(fromItsDirectory.out()).startsWith("tracereplay " + VERSION + "\n");
    }

    @Test
    void javaHomeComesBeforeTheJavaOnThePath() throws Exception {
      Path brokenJava = Files.createDirectories(dir.resolve("broken"));
      script(brokenJava.resolve("java"), "echo 'not this one' >&2; exit 99");
      Map<String, String> env = env(pathWith(brokenJava));
      env.put("JAVA_HOME", JAVA_HOME + "/");

      Run run = run(env, dir, install.resolve("bin/tracereplay").toString(), "--version");

      assertThat(run.err()).isEmpty();
      assertThat(run.out()).contains("(" + System.getProperty("java.vm.vendor") + ", " + JAVA_HOME + ")");
    }

    @Test
    void aJavaOlderThan17OrNoneAtAllIsOneClearLine() throws Exception {
      Path old = Files.createDirectories(dir.resolve("jdk-11/bin")).getParent();
      script(old.resolve("bin/java"), "echo 'never run' >&2; exit 99");
      Files.writeString(old.resolve("release"), "IMPLEMENTOR=\"Someone\"\nJAVA_VERSION=\"11.0.2\"\n");
      Map<String, String> env = env(pathWith());
      env.put("JAVA_HOME", old.toString());
      String launcher = install.resolve("bin/tracereplay").toString();

      Run tooOld = run(env, dir, launcher, "--version");

      assertThat(tooOld.exitCode()).isEqualTo(1);
      assertThat(tooOld.out()).isEmpty();
      assertThat(tooOld.err()).isEqualTo("tracereplay: needs Java 17 or later; " + old + "/bin/java is Java 11.0.2;"
          + " set JAVA_HOME to a JDK 17+\n");

      Run none = run(env(pathWith()), dir, "/bin/sh", launcher, "--version");

      assertThat(none.exitCode()).isEqualTo(1);
      assertThat(none.err()).isEqualTo("tracereplay: needs Java 17 or later, and there is no java on the PATH and no"
          + " JAVA_HOME; install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME\n");
    }

    /**
     * The java on the PATH need not be a JDK's bin/java: asdf's, mise's and jenv's shims are
     * scripts that run one, and a PATH entry may be relative. The launcher runs the JDK behind.
     */
    @Test
    void runsTheJdkBehindAJavaWrapperScriptOrARelativePathEntry() throws Exception {
      String launcher = install.resolve("bin/tracereplay").toString();
      String runtime = "(" + System.getProperty("java.vm.vendor") + ", " + JAVA_HOME + ")";
      Path shims = Files.createDirectories(dir.resolve("shims"));
      script(shims.resolve("java"), "exec '" + JAVA_HOME.resolve("bin/java") + "' \"$@\"");

      Run wrapped = run(env(pathWith(shims)), dir, launcher, "--version");

      assertThat(wrapped.err()).isEmpty();
      assertThat(wrapped.out()).contains(runtime);
      assertThat(wrapped.exitCode()).isZero();

      Run relative = run(env("bin:" + pathWith()), JAVA_HOME, launcher, "--version");

      assertThat(relative.err()).isEmpty();
      assertThat(relative.out()).contains(runtime);
      assertThat(relative.exitCode()).isZero();
    }

    /**
     * A system user's HOME is often /nonexistent, which must stay so (even for root, who could
     * make it): the launcher makes only the cache and its tracereplay/, owner-only, and runs on
     * quietly without them.
     */
    @Test
    void makesNoMissingHomeAndAnOwnerOnlyCache() throws Exception {
      String launcher = install.resolve("bin/tracereplay").toString();
      String verified = trace + ": valid trace, version 1, 1 records, 81 bytes\n";
      Map<String, String> env = env(pathWith(javaOnly(JAVA_HOME)));
      Path missing = dir.resolve("nonexistent");
      env.put("HOME", missing.toString());

      Run homeless = run(env, dir, launcher, "verify", "--in=" + trace);

      assertThat(homeless.err()).isEmpty();
      assertThat(homeless.out()).isEqualTo(verified);
      assertThat(missing).doesNotExist();

      env.put("HOME", home.toString());
      Run housed = run(env, dir, launcher, "verify", "--in=" + trace);

      assertThat(housed.err()).isEmpty();
      assertThat(housed.out()).isEqualTo(verified);
      assertThat(archives(home.resolve(".cache"))).hasSize(1);
      for (Path made : List.of(home.resolve(".cache"), home.resolve(".cache/tracereplay"))) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made))).as(made.toString())
            .isEqualTo("rwx------");
      }
    }

    /**
     * Linux paths are bytes, and gVisor's tool takes any: in the C locale (env -i, cron, most
     * container images) Java would read a non-ASCII argument as an invalid path, so the launcher
     * gives the JVM UTF-8. The name is made by the shell, from its bytes, as this JVM's own
     * locale may not be able to name it either.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "C", "POSIX"})
    void namesNonAsciiPathsInTheCLocale(String lcAll) throws Exception {
      Map<String, String> env = env(pathWith(javaOnly(JAVA_HOME)));
      if (!lcAll.isEmpty()) {
        env.put("LC_ALL", lcAll);
      }
      Run run = run(env, dir, "sh", "-c", "d=$(printf '\\303\\251 dir') && f=$d/$(printf 't\\303\\274r.trace') && mkdir \"$d\""
          + " && cat \"$1\" >\"$f\" && exec \"$0\" verify \"--in=$f\"", install.resolve("bin/tracereplay").toString(), trace.toString());

      assertThat(run.err()).isEmpty();
      assertThat(run.out()).isEqualTo("\u00e9 dir/t\u00fcr.trace: valid trace, version 1, 1 records, 81 bytes\n");
      assertThat(run.exitCode()).isZero();
    }

    /**
     * The start-up archive: made by the first run in the user's cache, used by the next, never
     * written into the install; made anew when the core jar's bytes change even though its size
     * and time are kept (which the JVM alone would not notice); and without a usable cache the
     * command still runs, quietly.
     */
    @Test
    void keepsItsStartUpArchiveInTheUsersCacheAndMakesItAnewForANewBuild() throws Exception {
      // Not in "an install dir": JDK 17's CDS does not share the classes of a jar whose path has a space.
      Path install = unpacked(DISTRIBUTION, dir.resolve("install")).resolve("tracereplay-" + VERSION);
      Map<String, String> installBefore = listing(install);
      Path cache = dir.resolve("cache");
      Map<String, String> env = env(pathWith(javaOnly(JAVA_HOME)));
      env.put("XDG_CACHE_HOME", cache.toString());
      String launcher = install.resolve("bin/tracereplay").toString();
      String verified = trace + ": valid trace, version 1, 1 records, 81 bytes\n";

      Run first = run(env, dir, launcher, "verify", "--in=" + trace);

      assertThat(first.err()).isEmpty();
      assertThat(first.out()).isEqualTo(verified);
      List<Path> archives = archives(cache);
      assertThat(archives).hasSize(1);
      Path classes = dir.resolve("classes.log");
      env.put("TRACEREPLAY_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);

      Run second = run(env, dir, launcher, "verify", "--in=" + trace);

      assertThat(second.err()).isEmpty();
      assertThat(second.out()).isEqualTo(verified);
      assertThat(Files.readString(classes)).contains("dev.tracereplay.cli.Tracereplay source: shared objects file");
      assertThat(listing(install)).as("nothing written into the install").isEqualTo(installBefore);

      Path core = install.resolve("lib/tracereplay-core-" + VERSION + ".jar");
      rebuild(core);
      Run rebuilt = run(env, dir, launcher, "verify", "--in=" + trace);

      assertThat(rebuilt.err()).isEmpty();
      assertThat(rebuilt.out()).isEqualTo(verified);
      assertThat(archives(cache)).hasSize(1).doesNotContainAnyElementsOf(archives);
      run(env, dir, launcher, "verify", "--in=" + trace); // Java 19+ makes it at the exit of the first run

      assertThat(Files.readString(classes)).contains("dev.tracereplay.cli.Tracereplay source: shared objects file");

      Files.writeString(dir.resolve("a-file"), "");
      env.put("XDG_CACHE_HOME", dir.resolve("a-file/cache").toString());
      Run noCache = run(env, dir, launcher, "verify", "--in=" + trace);

      assertThat(noCache.err()).isEmpty();
      assertThat(noCache.out()).isEqualTo(verified);

      env.remove("XDG_CACHE_HOME");
      run(env, dir, launcher, "verify", "--in=" + trace);

      assertThat(archives(home.resolve(".cache"))).as("XDG's default, ~/.cache").hasSize(1);
    }

    /** Java 17 and 18: a training run for the start-up archive that failed once is not tried again for the build. */
    @Test
    void aStartUpArchiveThatFailedIsNotTriedAgainForTheBuild() throws Exception {
      assumeThat(Runtime.version().feature()).as("the launcher's own training run: Java 17 and 18").isLessThan(19);
      Path cache = dir.resolve("cache");
      Map<String, String> env = env(pathWith(javaOnly(JAVA_HOME)));
      env.put("XDG_CACHE_HOME", cache.toString());
      String launcher = install.resolve("bin/tracereplay").toString();
      run(env, dir, launcher, "verify", "--in=" + trace);
      List<Path> made = cacheFiles(cache);
      assertThat(made).singleElement().satisfies(file -> assertThat(file.toString()).endsWith("-all.jsa"));
      Files.delete(made.get(0));
      Path failed = Files.createFile(Path.of(made.get(0) + ".failed"));

      Run again = run(env, dir, launcher, "verify", "--in=" + trace);

      assertThat(again.out()).isEqualTo(trace + ": valid trace, version 1, 1 records, 81 bytes\n");
      assertThat(again.err()).isEmpty();
      assertThat(cacheFiles(cache)).containsExactly(failed);
    }

    /**
     * stdout carries only the command's output, which scripts compare byte for byte with
     * gVisor's: the JVM's own messages go to stderr (here a warning about a contradictory
     * heap size, which the JVM prints on stdout by default).
     */
    @Test
    void theJvmsMessagesGoToStderr() throws Exception {
      Map<String, String> env = env(pathWith(javaOnly(JAVA_HOME)));
      env.put("TRACEREPLAY_JAVA_OPTS", "-Xmx64m -XX:MaxNewSize=128m");

      Run run = run(env, dir, install.resolve("bin/tracereplay").toString(), "verify", "--in=" + trace);

      assertThat(run.out()).isEqualTo(trace + ": valid trace, version 1, 1 records, 81 bytes\n");
      assertThat(run.err()).contains("MaxNewSize (131072k) is equal to or greater than the entire heap");
      assertThat(run.exitCode()).isZero();
    }

    /**
     * save runs with C1 alone on every Java version (bench/README.md has the runsc load figures),
     * the other commands too (they start up fast); TRACEREPLAY_JAVA_OPTS overrides it.
     */
    @Test
    void saveStopsAtC1UnlessTheUserSaysOtherwise() throws Exception {
      String launcher = install.resolve("bin/tracereplay").toString();
      Map<String, String> env = env(pathWith(javaOnly(JAVA_HOME)));
      env.put("TRACEREPLAY_JAVA_OPTS", "-XX:+PrintFlagsFinal");

      Run save = run(env, dir, launcher, "save", "--help");
      env.put("TRACEREPLAY_JAVA_OPTS", "-XX:+PrintFlagsFinal -XX:TieredStopAtLevel=4");
      Run withC2 = run(env, dir, launcher, "save", "--help");

      assertThat(save.exitCode()).as(save.err()).isZero();
      assertThat(save.err()).containsPattern("\\bTieredStopAtLevel\\s+= 1\\s");
      assertThat(withC2.exitCode()).as(withC2.err()).isZero();
      assertThat(withC2.err()).containsPattern("\\bTieredStopAtLevel\\s+= 4\\s");
    }

    /** junixsocket loads its native library from lib/, not from a copy it extracts on every start. */
    @Test
    void junixsocketsLibraryComesFromTheInstall() throws Exception {
      assumeThat(System.getProperty("os.arch")).isEqualTo("amd64");
      Path log = dir.resolve("library.log");
      Map<String, String> env = env(pathWith(javaOnly(JAVA_HOME)));
      env.put("TRACEREPLAY_JAVA_OPTS", "-Xlog:library=info:file=" + log);

      Run run = run(env, dir, install.resolve("bin/tracereplay").toString(), "demo", "--recording=start", "-q");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(Files.readString(log)).contains("Loaded library " + install.resolve(
          "lib/junixsocket-native/amd64-Linux-clang/jni/libjunixsocket-native-"));
    }
  }

  @Nested
  class TheCheckoutsLauncher {
    @Test
    void runsTheBuildsLauncher() throws Exception {
      Run run = run(env(pathWith(javaOnly(JAVA_HOME))), dir, CHECKOUT_LAUNCHER.toString(), "--version");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out()).startsWith("tracereplay " + VERSION + "\nJava ");
    }

    /** After a version change without mvn clean, target/ holds two builds: the pom's version runs. */
    @Test
    void runsTheBuildOfTheCheckoutsVersionNotALeftOverOne() throws Exception {
      Path repo = Files.createDirectories(dir.resolve("repo"));
      Files.copy(CHECKOUT_LAUNCHER, repo.resolve("tracereplay"));
      Files.copy(CHECKOUT_LAUNCHER.resolveSibling("pom.xml"), repo.resolve("pom.xml"));
      for (String version : List.of(VERSION, "9.9.9")) {
        Path bin = Files.createDirectories(repo.resolve("tracereplay-core/target/tracereplay-" + version
            + "/tracereplay-" + version + "/bin"));
        script(bin.resolve("tracereplay"), "echo 'the build of " + version + "'");
      }

      Run current = run(env(pathWith()), dir, "sh", repo.resolve("tracereplay").toString(), "--version");

      assertThat(current.err()).isEmpty();
      assertThat(current.out()).isEqualTo("the build of " + VERSION + "\n");

      deleteTree(repo.resolve("tracereplay-core/target/tracereplay-" + VERSION));
      Run leftOver = run(env(pathWith()), dir, "sh", repo.resolve("tracereplay").toString(), "--version");

      assertThat(leftOver.out()).isEqualTo("the build of 9.9.9\n");
      assertThat(leftOver.err()).startsWith("tracereplay: note: this checkout is version " + VERSION + ", but only ")
          .contains("tracereplay-9.9.9 is built; rebuild with: mvn -B -q package -DskipTests");
    }

    @Test
    void withoutABuildSaysWhichCommandToRunFirst() throws Exception {
      Path repo = Files.createDirectories(dir.resolve("repo"));
      Files.copy(CHECKOUT_LAUNCHER, repo.resolve("tracereplay"));

      Run run = run(env(pathWith(javaOnly(JAVA_HOME))), dir, "sh", repo.resolve("tracereplay").toString(), "--help");

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).isEqualTo("tracereplay: the build is missing (" + repo.toRealPath()
          + "/tracereplay-core/target/tracereplay-<version>/). Build it first:\n"
          + "  cd '" + repo.toRealPath() + "' && mvn -B -q package -DskipTests\n");
    }
  }

  /** The archive with a Java runtime inside, built with -Pruntime-image (which makes it required here). */
  @Nested
  class TheRuntimeImage {
    Path install;

    @BeforeEach
    void unpackIt() throws Exception {
      assumeThat(Boolean.getBoolean("tracereplay.runtime.image.required")).as("built with -Pruntime-image").isTrue();
      assertThat(RUNTIME_IMAGE).isRegularFile();
      install = unpacked(RUNTIME_IMAGE, dir.resolve("image")).resolve("tracereplay-" + VERSION + "-linux-x86_64");
    }

    @Test
    void runsWithNoJavaAtAllAndHasTheFfmFastPath() throws Exception {
      Map<String, String> env = env("");

      Run version = run(env, Path.of("/"), "/bin/sh", install.resolve("bin/tracereplay").toString(), "--version");

      assertThat(version.err()).isEmpty();
      assertThat(version.out()).contains("Java 2").contains(install.resolve("runtime") + ")")
          .contains("Sockets: FFM fast path");
      assertThat(version.exitCode()).isZero();
    }

    @Test
    void savesAndReplaysWhereNoJavaIsInstalled() throws Exception {
      Path launcher = install.resolve("bin/tracereplay");
      Path endpoint = dir.resolve("sink.sock");
      Path out = dir.resolve("out");
      Map<String, String> env = env(pathWith()); // the system's tools and no java
      env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
      Process save = start(env, Path.of("/"), launcher.toString(), "save", "--endpoint=" + endpoint, "--out=" + out);
      try {
        Deadline.await(TIMEOUT, () -> Files.exists(endpoint) || !save.isAlive());
        assertThat(save.isAlive()).as("save listens").isTrue();

        for (int i = 1; i <= 2; i++) { // the first run makes the start-up archive, the second uses it
          Run replay = run(env, Path.of("/"), launcher.toString(), "replay", "-endpoint", endpoint.toString(), "-in=" + trace);

          assertThat(replay.err()).isEmpty();
          assertThat(replay.out()).isEqualTo("Handshake completed\n\rReplaying message: 1\nDone\n");
        }
        Deadline.await(TIMEOUT, () -> Files.exists(out.resolve("client-0002")));
      } finally {
        save.destroy();
        assertThat(save.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      }
      assertThat(save.exitValue()).isZero();
      assertThat(out.resolve("client-0001")).hasSameBinaryContentAs(trace);
      assertThat(archives(dir.resolve("cache"))).isNotEmpty();
    }
  }

  // ---- helpers

  /** A clean environment: PATH, HOME, and nothing else (no JAVA_HOME, no TRACEREPLAY_*). */
  private Map<String, String> env(String path) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", path);
    env.put("HOME", home.toString());
    return env;
  }

  /** A PATH of these directories, then the system's tools, in a directory without java. */
  private static String pathWith(Path... first) {
    List<String> entries = new ArrayList<>();
    for (Path entry : first) {
      entries.add(entry.toString());
    }
    entries.add(links.resolve("tools").toString());
    return String.join(":", entries);
  }

  /** A directory holding only a link named java to this JDK's java. */
  private static Path javaOnly(Path javaHome) {
    assertThat(javaHome).isEqualTo(JAVA_HOME);
    return links.resolve("java-only");
  }

  private static void script(Path file, String body) throws IOException {
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    file.toFile().setExecutable(true);
  }

  /** Deletes a directory tree; a link in it is deleted itself, never its target. */
  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(file);
      }
    }
  }

  private static Path unpacked(Path archive, Path into) throws Exception {
    Files.createDirectories(into);
    Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", into.toString()).inheritIO().start();
    assertThat(tar.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(tar.exitValue()).as("tar -xzf " + archive).isZero();
    return into;
  }

  /**
   * The core jar with other bytes, its size and time kept, as a rebuild of one version can leave
   * it (reproducible builds give every file the same time): the time of its first entry's local
   * header changes, which no reader of the jar looks at.
   */
  private static void rebuild(Path jar) throws IOException {
    FileTime time = Files.getLastModifiedTime(jar);
    byte[] bytes = Files.readAllBytes(jar);
    assertThat(bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4).as("a local file header").isTrue();
    bytes[10] ^= 1; // the entry's DOS time, low byte
    Files.write(jar, bytes);
    Files.setLastModifiedTime(jar, time);
  }

  /** Every file in the launcher's cache directory. */
  private static List<Path> cacheFiles(Path cache) throws IOException {
    try (Stream<Path> files = Files.list(cache.resolve("tracereplay"))) {
      return files.sorted().collect(Collectors.toList());
    }
  }

  /** The start-up archives in the launcher's cache directory, if it has one. */
  private static List<Path> archives(Path cache) throws IOException {
    if (!Files.isDirectory(cache.resolve("tracereplay"))) {
      return List.of();
    }
    return cacheFiles(cache).stream().filter(file -> file.toString().endsWith(".jsa")).collect(Collectors.toList());
  }

  private static Map<String, String> listing(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      Map<String, String> listing = new HashMap<>();
      for (Path file : (Iterable<Path>) files::iterator) {
        listing.put(root.relativize(file).toString(), Files.isRegularFile(file)
            ? Files.size(file) + " " + Files.getLastModifiedTime(file) : "dir");
      }
      return listing;
    }
  }

  private Process start(Map<String, String> env, Path cwd, String... command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectOutput(dir.resolve("background.out").toFile()).redirectError(dir.resolve("background.err").toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    return builder.start();
  }

  private Run run(Map<String, String> env, Path cwd, String... command) throws Exception {
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("%s ended", List.of(command)).isTrue();
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      process.destroyForcibly();
    }
  }
}
