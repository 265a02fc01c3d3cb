package dev.tracereplay.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How to record the trace of a {@link ReplayTrace} from a real gVisor sandbox when it is missing,
 * so that a new test needs one line instead of a recording session:
 *
 * <pre>{@code
 * @Test
 * @ReplayTrace(value = "cat-passwd", record = @Runsc(
 *     command = {"/bin/sh", "-c", "cat /etc/passwd"},
 *     points = {"syscall/openat/enter", "syscall/openat/exit"}))
 * void seesThePasswdFileOpened(TraceReplayer sandbox, @TraceEndpoint Path endpoint) { ... }
 * }</pre>
 *
 * <h2>When it records</h2>
 *
 * The system property (or JUnit configuration parameter) {@value #RECORD_PROPERTY} decides:
 *
 * <ul>
 *   <li>{@code missing}, the default unless the environment variable {@code CI} is {@code true}: a trace
 *       found (see {@link ReplayTrace}, and then the file it would be recorded to) is replayed and runsc
 *       is never started; a missing one is recorded, then replayed;
 *   <li>{@code none}, the default when {@code CI} is {@code true}: nothing is recorded; a missing trace
 *       fails the test with a message naming the property, the file that would be written and the
 *       command that would run;
 *   <li>{@code all}: every trace that has a {@code record} is recorded again, replacing its file (once
 *       per test run, however many tests name it), then replayed.
 * </ul>
 *
 * <h2>Where it goes</h2>
 *
 * Into the test's source resources, so that it can be committed:
 * {@code src/test/resources/tracereplay/<TestClassSimpleName>/<value>} of the module under test, the
 * first place {@link ReplayTrace} looks once the build has copied it. The module is the nearest
 * directory, above where the test class was loaded from (Maven's {@code target/test-classes},
 * Gradle's {@code build/classes/java/test}), that holds a {@code pom.xml}, {@code build.gradle} or
 * {@code build.gradle.kts}. The configuration parameter {@value #RECORD_DIRECTORY_PROPERTY} names
 * another folder instead of {@code src/test/resources} (relative to the working directory), e.g. for
 * tests run from a jar. The log (SLF4J, logger {@code dev.tracereplay.junit5.RecordIfMissing}) and a
 * report entry {@code tracereplay.recorded} say where each recording went.
 *
 * <h2>How it records</h2>
 *
 * With {@link dev.tracereplay.runsc.Runsc#sandbox()}: {@code runsc --rootless --network=none do
 * COMMAND...} in {@code /} with a clean environment, its trace session recorded on a private socket
 * (tests recording at once each get a sandbox and a socket of their own), the sandbox's output on the
 * test's {@code System.out} and {@code System.err}. runsc is the one on the {@code PATH}, or the one the
 * configuration parameter {@value #RUNSC_PROPERTY} names; it needs root, or unprivileged user
 * namespaces. Trace points and context fields are checked against what that runsc offers: an unknown
 * name fails the test, naming the nearest ones. A command ending with another exit code than
 * {@link #exitCode()} fails the test and its recording is not kept.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Runsc {
  /** The property deciding what is recorded: {@code missing}, {@code none} or {@code all}. */
  String RECORD_PROPERTY = "tracereplay.record";

  /** The configuration parameter naming the folder recordings go under, instead of the module's src/test/resources. */
  String RECORD_DIRECTORY_PROPERTY = "tracereplay.record.directory";

  /** The configuration parameter naming the runsc to run, instead of the one on the PATH. */
  String RUNSC_PROPERTY = "tracereplay.runsc";

  /**
   * The command to run in the sandbox and its arguments, e.g. {@code {"/bin/sh", "-c", "cat /etc/passwd"}};
   * empty (the default): the trace is never recorded.
   */
  String[] command() default {};

  /**
   * Trace points, e.g. {@code "syscall/openat/enter"}, {@code "container/start"}; with {@link #preset()}
   * empty too, the preset {@code files-and-processes}.
   */
  String[] points() default {};

  /**
   * The context fields of every point, e.g. {@code "time"}, {@code "process_name"}; empty (the default):
   * none for named points, every one it offers for a preset's point.
   */
  String[] contextFields() default {};

  /** A named set of points: {@code "files-and-processes"} or {@code "all"}; empty: none but {@link #points()}. */
  String preset() default "";

  /** The exit code the command must end with for its recording to be kept (default 0). */
  int exitCode() default 0;

  /** How long the sandbox may run, in seconds (default 300); past it the test fails. */
  int timeoutSeconds() default 300;
}
