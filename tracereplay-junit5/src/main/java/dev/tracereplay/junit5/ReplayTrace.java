package dev.tracereplay.junit5;

import dev.tracereplay.replay.ReplayShape;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Names the saved trace a {@link dev.tracereplay.TraceReplayer} field or parameter replays;
 * resolved by {@link TraceReplayExtension}, which the annotation registers (no {@code @ExtendWith}
 * needed).
 *
 * <pre>{@code
 * class MySinkTest {
 *   @Test
 *   @ReplayTrace("client-0001")
 *   void countsOpens(TraceReplayer replayer, @TraceEndpoint Path endpoint) throws Exception {
 *     try (MySink sink = MySink.listenOn(endpoint)) {
 *       replayer.replayTo(endpoint);
 *       ...
 *     }
 *   }
 * }
 * }</pre>
 *
 * <h2>Where it goes</h2>
 *
 * <ul>
 *   <li>On a field of type {@code TraceReplayer}, as {@code @TempDir} on a field: an instance field
 *       is set before each test (and of a class enclosing a {@code @Nested} test class, before each
 *       of the nested tests too), a {@code static} field once before the class's tests. It may be
 *       private; it must not be {@code final}.
 *   <li>On a parameter of type {@code TraceReplayer}: binds that parameter alone, so one test can
 *       take two traces, e.g. to replay two sandboxes at once.
 *   <li>On a test method: binds every {@code TraceReplayer} parameter of the method that has no
 *       annotation of its own.
 *   <li>On a test class: the default for every test method of the class, and of its {@code @Nested}
 *       classes and of its subclasses, that neither the method nor the parameter overrides.
 * </ul>
 *
 * <p>Each field and parameter gets a replayer of its own, created for this test; a replayer is immutable and
 * may replay any number of times, also from several threads at once.
 *
 * <h2>Finding the trace</h2>
 *
 * {@link #value()} is looked for, in this order, and the first found is used:
 *
 * <ol>
 *   <li>the class path resource {@code tracereplay/<TestClassSimpleName>/<value>}, with the simple
 *       name of the test class, then of each class enclosing it (for {@code @Nested} classes), from
 *       the inside out;
 *   <li>the class path resource {@code tracereplay/<value>};
 *   <li>the class path resource {@code <value>};
 *   <li>the file {@code <value>}: an absolute path, or a path relative to the working directory.
 * </ol>
 *
 * An absolute {@code value} is only looked for as a file. Class path resources are looked up with
 * the test class's class loader; a resource inside a jar is copied to a private temporary directory
 * that is deleted after the test. Only regular files count: a directory of the same name is passed over.
 *
 * <h2>Shaping the replay</h2>
 *
 * The other attributes shape what the replayer sends, as {@code tracereplay replay}'s options
 * of the same names do, in the same spellings (see {@link dev.tracereplay.replay.ReplayShape}):
 * {@link #faults()}, {@link #types()}, {@link #messages()}, {@link #speed()} or {@link #rate()},
 * and {@link #seed()}.
 *
 * <pre>{@code
 * @ReplayTrace(value = "client-0001", faults = {"drop@2-3", "close@10"})
 * }</pre>
 *
 * injects a replayer that drops messages 2 and 3 (later headers count them, as runsc's do) and
 * closes the connection after message 10, as a sandbox dying would.
 *
 * <h2>Errors</h2>
 *
 * The test fails (it is not skipped) with a
 * {@link org.junit.jupiter.api.extension.ParameterResolutionException} when:
 *
 * <ul>
 *   <li>the trace is found nowhere: the message lists every place looked at, in order, and how to
 *       record a trace;
 *   <li>the file found is not a trace file: the message is the reader's, naming the file, the byte
 *       offset and the record;
 *   <li>the annotated parameter is not a {@code TraceReplayer}, or {@link #value()} is blank;
 *   <li>{@link #speed()} is set and none of the selected messages carries a time: the message
 *       names the annotation and the trace, and says to use {@link #rate()};
 *   <li>a shaping attribute does not parse, or contradicts another: the message names the annotation,
 *       the attribute, the spec and its grammar.
 * </ul>
 *
 * For a field, the same problems fail with an
 * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} when the field is not a
 * {@code TraceReplayer} or is {@code final}, and a {@code ParameterResolutionException} otherwise.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE})
@ExtendWith(TraceReplayExtension.class)
public @interface ReplayTrace {

  /**
   * The trace's name or path, e.g. {@code "client-0001"} (as gVisor's {@code save} names its files),
   * {@code "startup/client-0003"} or {@code "/var/traces/client-0001"}; see "Finding the trace".
   */
  String value();

  /**
   * How to record the trace from a real sandbox when it is missing, e.g.
   * {@code record = @Runsc(command = {"/bin/sh", "-c", "cat /etc/passwd"}, points = {"syscall/openat/enter"})}:
   * recorded into the test's source resources, {@code src/test/resources/tracereplay/<TestClassSimpleName>/<value>},
   * then replayed, as the system property {@code tracereplay.record} allows (never under {@code CI=true}
   * by default); see {@link Runsc}. The default, a {@code @Runsc} without a command, never records.
   */
  Runsc record() default @Runsc;

  /**
   * Faults to inject, each as {@code tracereplay replay --fault} takes it: {@code drop@N},
   * {@code drop@N-M}, {@code drop~P%}, {@code corrupt@N}, {@code short@N}, {@code bad-header@N},
   * {@code unknown-type@N}, {@code oversize@N}, {@code stall@N:DURATION}, {@code close@N},
   * {@code handshake-version=V}; N is a message's 1-based position in the file. None by default.
   */
  String[] faults() default {};

  /**
   * Only messages of these types: payload names ({@code "open"}), MessageType names
   * ({@code "SYSCALL_OPEN"}) or header numbers ({@code "999"}), one or a comma-separated list
   * each. Every type by default.
   */
  String[] types() default {};

  /** Only these messages, {@code "FROM-TO"} or {@code "FROM-"} (1-based positions in the file); all by default. */
  String messages() default "";

  /** Replay at this multiple of the recorded pace (from the messages' {@code context_data.time_ns}); 0, the default, for none. */
  double speed() default 0;

  /** Replay this many messages a second; 0, the default, for none. Excludes {@link #speed()}. */
  double rate() default 0;

  /** The seed of {@code drop~P%}: the same seed drops the same messages. */
  long seed() default ReplayShape.DEFAULT_SEED;
}
