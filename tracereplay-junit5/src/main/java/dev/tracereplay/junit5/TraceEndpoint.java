package dev.tracereplay.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a {@link java.nio.file.Path} parameter a fresh socket path for the sink under test to
 * listen on; resolved by {@link TraceReplayExtension}.
 *
 * <pre>{@code
 * @Test
 * void receives(@TraceEndpoint Path endpoint, @ReplayTrace("client-0001") TraceReplayer replayer) throws Exception {
 *   try (MySink sink = MySink.listenOn(endpoint)) {
 *     replayer.replayTo(endpoint);
 *   }
 * }
 * }</pre>
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
 *   <li>Every {@code @TraceEndpoint} parameter gets a path of its own, also two in one test, also
 *       in tests that run in parallel: the first is {@code <directory>/sink.sock}, the next ones
 *       {@code sink-2.sock}, {@code sink-3.sock}, and so on.
 *   <li>The directory and everything in it are deleted after the test (for a parameter of a
 *       constructor or a {@code @BeforeEach} method, after the test it serves; of a
 *       {@code @BeforeAll} method, after the class), also when the test failed. A sink still listening then keeps working on its open socket, but nobody can connect
 *       any more.
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * The test fails with a {@link org.junit.jupiter.api.extension.ParameterResolutionException} when
 * the parameter is not a {@code java.nio.file.Path}, when it is also annotated with
 * {@link ReplayTrace}, when the directory cannot be created, and when the path would exceed 107
 * bytes; and with the {@link java.io.IOException} of the deletion when the directory cannot be deleted.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface TraceEndpoint {}
