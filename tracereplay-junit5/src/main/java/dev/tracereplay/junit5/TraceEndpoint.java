package dev.tracereplay.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;

/**
 * Gives a {@link java.nio.file.Path} field or parameter a fresh socket path for the sink under test
 * to listen on; resolved by {@link TraceReplayExtension}, which the annotation registers (no
 * {@code @ExtendWith} needed), as JUnit's {@code @TempDir} gives a directory.
 *
 * <pre>{@code
 * class MySinkTest {
 *   @TraceEndpoint Path endpoint;
 *
 *   @Test
 *   void receives(@ReplayTrace("client-0001") TraceReplayer replayer) throws Exception {
 *     try (MySink sink = MySink.listenOn(endpoint)) {
 *       replayer.replayTo(endpoint);
 *     }
 *   }
 * }
 * }</pre>
 *
 * <h2>Where it goes</h2>
 *
 * <ul>
 *   <li>On a parameter of a test method, a lifecycle method or a test class's constructor.
 *   <li>On a field, as {@code @TempDir} is: an instance field is set before each test (and of a
 *       class enclosing a {@code @Nested} test class, before each of the nested tests too), a
 *       {@code static} field once before the class's tests (for all of them). It may be private;
 *       it must not be {@code final}.
 * </ul>
 *
 * <h2>The path</h2>
 *
 * <ul>
 *   <li>Nothing exists at the path: the sink creates the socket there.
 *   <li>It lies in a new directory private to the test (mode {@code 0700}), created in {@code /tmp}
 *       rather than in {@code java.io.tmpdir} or a {@code @TempDir}, whose paths can be too long:
 *       AF_UNIX socket paths hold at most 107 bytes. The configuration parameter
 *       {@value TraceReplayExtension#ENDPOINT_DIRECTORY_PROPERTY} (e.g. in
 *       {@code junit-platform.properties}) names another directory to create it in.
 *   <li>Every {@code @TraceEndpoint} field and parameter gets a path of its own, also two in one
 *       test, also in tests that run in parallel: the first is {@code <directory>/sink.sock}, the
 *       next ones {@code sink-2.sock}, {@code sink-3.sock}, and so on.
 *   <li>The directory and everything in it are deleted after the test (for an instance field, or a
 *       parameter of a constructor or a {@code @BeforeEach} method, after the test it serves; for
 *       a static field or a parameter of a {@code @BeforeAll} method, after the class), also when
 *       the test failed, unless {@link #cleanup()} says to keep it. A sink still listening then
 *       keeps working on its open socket, but nobody can connect any more.
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * The test fails, with a {@link org.junit.jupiter.api.extension.ParameterResolutionException} for
 * a parameter, when it is not a {@code java.nio.file.Path}, when it is also annotated with
 * {@link ReplayTrace}, when the directory cannot be created, and when the path would exceed 107
 * bytes; for a field, the same, with an
 * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} for the field's type and
 * for a {@code final} field. A directory that cannot be deleted fails it with the
 * {@link java.io.IOException} of the deletion.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
@ExtendWith(TraceReplayExtension.class)
public @interface TraceEndpoint {

  /**
   * When to delete the endpoint's directory, as {@code @TempDir(cleanup = ...)}: {@code ALWAYS}
   * after the test (or class), {@code ON_SUCCESS} only when it passed (a failed one's directory is
   * kept), {@code NEVER}. A kept directory is logged (at INFO, by the logger
   * {@code dev.tracereplay.junit5.TestDirectory}) and published as the report entry
   * {@code tracereplay.endpoint.kept}, so it shows beside the test's outcome. For a static field or
   * a {@code @BeforeAll} parameter, "passed" is the class's own callbacks', as JUnit counts it for
   * {@code @TempDir}.
   *
   * <p>{@code DEFAULT}, the default, takes the configuration parameter
   * {@value TraceReplayExtension#CLEANUP_MODE_PROPERTY} ({@code always}, {@code on_success} or
   * {@code never}), else {@code ALWAYS}. The endpoints of one test share its directory: it is kept
   * when any of them asks to keep it.
   */
  CleanupMode cleanup() default CleanupMode.DEFAULT;
}
