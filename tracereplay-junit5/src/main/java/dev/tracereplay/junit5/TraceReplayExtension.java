package dev.tracereplay.junit5;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.replay.Pacing;
import dev.tracereplay.replay.ShapeException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;

/**
 * The JUnit Jupiter extension that gives tests a replayer of a saved runsc session and a socket
 * path for the sink under test, so that a sink is tested with real trace data and no sandbox:
 *
 * <pre>{@code
 * class MySinkTest {
 *   @ReplayTrace("client-0001") TraceReplayer replayer;
 *   @TraceEndpoint Path endpoint;
 *
 *   @Test
 *   void countsEveryOpen() throws Exception {
 *     try (MySink sink = MySink.listenOn(endpoint)) {
 *       ReplayResult result = replayer.replayTo(endpoint);
 *       assertThat(sink.opens()).isEqualTo(result.messagesOf(MessageType.SYSCALL_OPEN));
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>{@link ReplayTrace} and {@link TraceEndpoint} register it, as {@code @TempDir} registers
 * JUnit's own; {@code @ExtendWith(TraceReplayExtension.class)} may still be written, and JUnit
 * registers the extension once. It injects {@link ReplayTrace} fields and parameters of type
 * {@link TraceReplayer} (and unannotated {@code TraceReplayer} parameters of a method or class
 * annotated with {@code @ReplayTrace}) and {@link TraceEndpoint} fields and parameters of type
 * {@link Path}; the annotations' javadoc is the contract. Static fields are set before the class's
 * tests (in {@code beforeAll}) and what they hold lasts as long as the class; instance fields,
 * also those of the classes enclosing a {@code @Nested} class, before each test. Everything it
 * creates for a test is kept in that test's {@link ExtensionContext.Store}, so JUnit removes it
 * when the test ends, passed or failed (a {@link TraceEndpoint#cleanup()} may keep the directory).
 *
 * <p>The extension has no state of its own: tests using it may run in parallel.
 */
public final class TraceReplayExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
  /**
   * The configuration parameter naming the directory in which each test's private endpoint
   * directory is created (default {@value #DEFAULT_ENDPOINT_DIRECTORY}); keep it short, as socket
   * paths hold at most 107 bytes.
   */
  public static final String ENDPOINT_DIRECTORY_PROPERTY = "tracereplay.endpoint.directory";

  /** The default of {@link #ENDPOINT_DIRECTORY_PROPERTY}. */
  public static final String DEFAULT_ENDPOINT_DIRECTORY = "/tmp";

  /**
   * The configuration parameter naming the cleanup mode of endpoint directories whose
   * {@link TraceEndpoint#cleanup()} is {@code DEFAULT}: {@code always} (the default),
   * {@code on_success} or {@code never}, in any case.
   */
  public static final String CLEANUP_MODE_PROPERTY = "tracereplay.endpoint.cleanup.mode.default";

  private static final Namespace NAMESPACE = Namespace.create(TraceReplayExtension.class);

  /** Created by JUnit, registered by {@link ReplayTrace}, {@link TraceEndpoint} or {@code @ExtendWith(TraceReplayExtension.class)}. */
  public TraceReplayExtension() {}

  /** Sets the test class's static {@code @ReplayTrace} and {@code @TraceEndpoint} fields, for the class's lifetime. */
  @Override
  public void beforeAll(ExtensionContext context) {
    injectFields(context, null, context.getRequiredTestClass(), ModifierSupport::isStatic);
  }

  /**
   * Sets the instance fields of every test instance of the test: the test class's and, for a
   * {@code @Nested} class, those of the classes enclosing it.
   */
  @Override
  public void beforeEach(ExtensionContext context) {
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      injectFields(context, instance, instance.getClass(), ModifierSupport::isNotStatic);
    }
  }

  private static void injectFields(ExtensionContext context, Object instance, Class<?> type, Predicate<Field> which) {
    List<Field> fields = new ArrayList<>(AnnotationSupport.findAnnotatedFields(type, TraceEndpoint.class, which,
        HierarchyTraversalMode.TOP_DOWN));
    for (Field field : AnnotationSupport.findAnnotatedFields(type, ReplayTrace.class, which, HierarchyTraversalMode.TOP_DOWN)) {
      if (!fields.contains(field)) {
        fields.add(field);
      }
    }
    for (Field field : fields) {
      Optional<TraceEndpoint> endpoint = AnnotationSupport.findAnnotation(field, TraceEndpoint.class);
      Optional<ReplayTrace> trace = AnnotationSupport.findAnnotation(field, ReplayTrace.class);
      String annotation = endpoint.isPresent() ? "@TraceEndpoint" : "@ReplayTrace";
      if (Modifier.isFinal(field.getModifiers())) {
        throw new ExtensionConfigurationException(annotation + " field [" + field + "] must not be declared as final.");
      }
      Object value;
      try {
        value = resolve(endpoint, trace, field.getType(), "field", context, ExtensionConfigurationException::new, null);
      } catch (ParameterResolutionException e) {
        throw new ParameterResolutionException(annotation + " field [" + field + "]: " + e.getMessage(), e);
      }
      try {
        field.setAccessible(true);
        field.set(instance, value);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new ExtensionConfigurationException("Cannot set the " + annotation + " field [" + field + "]: " + e
            + ". Open its package to the module dev.tracereplay.junit5, or make the field accessible", e);
      }
    }
  }

  @Override
  public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
    return ExtensionContextScope.TEST_METHOD;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.isAnnotated(TraceEndpoint.class) || parameter.isAnnotated(ReplayTrace.class)
        || (parameter.getParameter().getType() == TraceReplayer.class && defaultTrace(parameter, context).isPresent());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return resolve(parameter.findAnnotation(TraceEndpoint.class), parameter.findAnnotation(ReplayTrace.class),
        parameter.getParameter().getType(), "parameter", context, ParameterResolutionException::new, parameter);
  }

  /**
   * The value of an annotated field or parameter: a fresh endpoint or a replayer.
   *
   * @param kind how the messages name it: {@code "parameter"} or {@code "field"}
   * @param misdeclared makes the exception for a declaration the extension cannot fill (its type, both annotations)
   * @param parameter the parameter, whose method or class may name its trace; null for a field
   */
  private static Object resolve(Optional<TraceEndpoint> endpoint, Optional<ReplayTrace> annotatedTrace, Class<?> type,
      String kind, ExtensionContext context, Function<String, RuntimeException> misdeclared, ParameterContext parameter) {
    if (endpoint.isPresent()) {
      if (annotatedTrace.isPresent()) {
        throw misdeclared.apply("A " + kind + " cannot be both @TraceEndpoint and @ReplayTrace:"
            + " @TraceEndpoint is the sink's socket path (java.nio.file.Path), @ReplayTrace the trace replayed"
            + " into it (dev.tracereplay.TraceReplayer)");
      }
      if (type != Path.class) {
        throw misdeclared.apply("Can only resolve @TraceEndpoint " + kind + " of type "
            + Path.class.getName() + " but was: " + type.getName());
      }
      try {
        return testDirectory(context).newEndpoint(cleanupMode(endpoint.get(), context));
      } catch (IOException e) {
        throw new ParameterResolutionException("@TraceEndpoint: " + e.getMessage(), e);
      }
    }
    ReplayTrace trace = annotatedTrace.orElseGet(() -> defaultTrace(parameter, context).orElseThrow());
    if (type != TraceReplayer.class) {
      throw misdeclared.apply("Can only resolve @ReplayTrace " + kind + " of type "
          + TraceReplayer.class.getName() + " but was: " + type.getName());
    }
    return replayer(trace, context);
  }

  /** The mode {@code endpoint} asks for, {@code DEFAULT} read from {@link #CLEANUP_MODE_PROPERTY}. */
  private static CleanupMode cleanupMode(TraceEndpoint endpoint, ExtensionContext context) {
    return endpoint.cleanup() != CleanupMode.DEFAULT ? endpoint.cleanup() : defaultCleanupMode(context);
  }

  private static CleanupMode defaultCleanupMode(ExtensionContext context) {
    Optional<String> configured = context.getConfigurationParameter(CLEANUP_MODE_PROPERTY);
    if (configured.isEmpty()) {
      return CleanupMode.ALWAYS;
    }
    String value = configured.get().strip().toUpperCase(Locale.ROOT);
    if (value.equals("ALWAYS") || value.equals("ON_SUCCESS") || value.equals("NEVER")) {
      return CleanupMode.valueOf(value);
    }
    throw new ExtensionConfigurationException("The configuration parameter " + CLEANUP_MODE_PROPERTY
        + " must be always, on_success or never, was '" + configured.get() + "'");
  }

  private static TraceReplayer replayer(ReplayTrace trace, ExtensionContext context) {
    String value = trace.value();
    String annotation = "@ReplayTrace(\"" + value + "\")";
    if (value.isBlank()) {
      throw new ParameterResolutionException(annotation + " needs the name or path of a trace, e.g."
          + " @ReplayTrace(\"client-0001\")");
    }
    Class<?> testClass = context.getRequiredTestClass();
    List<Class<?>> testClasses = new ArrayList<>();
    testClasses.add(testClass);
    testClasses.addAll(enclosingTestClasses(context));
    TraceLocator locator = new TraceLocator(testClass.getClassLoader(), Path.of("").toAbsolutePath());
    TraceLocator.Found found;
    try {
      // With a record = @Runsc(...), a missing trace may be recorded instead (RecordIfMissing).
      found = RecordIfMissing.findOrRecord(trace, context, () -> locator.find(value, testClasses, testDirectory(context)::copy))
          .orElseThrow(() -> new ParameterResolutionException(notFound(annotation, value,
              locator.places(value, testClasses), testClass)));
    } catch (IOException e) {
      throw new ParameterResolutionException(annotation + ": looking for the trace failed: " + e.getMessage(), e);
    }
    TraceReplayer replayer;
    try {
      replayer = TraceReplayer.of(found.file()).withShape(ReplayTraceShape.of(trace));
    } catch (IOException e) {
      throw new ParameterResolutionException(annotation + " found the " + found.place()
          + ", which is not a trace file: " + e.getMessage(), e);
    }
    if (replayer.shape().pacing() instanceof Pacing.Speed) {
      checkTimes(replayer, trace);
    }
    return replayer;
  }

  /**
   * Fails now, naming the annotation, when a replay at {@code speed} could not start because no
   * selected message carries a time, rather than in the test's replay. The replayer checks it
   * itself before it connects: a replay over {@link StopAtHandshake} runs that check and stops.
   */
  private static void checkTimes(TraceReplayer replayer, ReplayTrace trace) {
    try {
      replayer.replayTo(new StopAtHandshake());
    } catch (ShapeException e) {
      throw ReplayTraceShape.failure(trace, e);
    } catch (IOException | RuntimeException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof StopAtHandshake.Reached) {
          return;
        }
      }
      throw new ParameterResolutionException("@ReplayTrace(\"" + trace.value() + "\"): reading " + replayer.trace()
          + " for a message with a time failed: " + e.getMessage(), e);
    }
  }

  /** A channel that ends a replay at its first use, the handshake: what comes before it has run. */
  private static final class StopAtHandshake implements SeqPacketChannel {
    /** Thrown by every method. */
    static final class Reached extends RuntimeException {
      private static final long serialVersionUID = 1L;

      Reached() {
        super("the replay reached the handshake", null, false, false);
      }
    }

    @Override
    public void send(ByteBuffer packet) {
      throw new Reached();
    }

    @Override
    public int receive(ByteBuffer dst) {
      throw new Reached();
    }

    @Override
    public void setReceiveTimeout(Duration timeout) {
      throw new Reached();
    }

    @Override
    public void setSendTimeout(Duration timeout) {
      throw new Reached();
    }

    @Override
    public void shutdownInput() {
      throw new Reached();
    }

    @Override
    public String peerAddress() {
      throw new Reached();
    }

    @Override
    public void close() {
      // Nothing to release; a replay closes the channel only after a close fault.
    }
  }

  private static String notFound(String annotation, String value, List<TraceLocator.Place> places, Class<?> testClass) {
    return annotation + " found no trace. Looked for, in this order:\n"
        + places.stream().map(place -> "  " + place + "\n").collect(Collectors.joining())
        + "To make one, record a sandbox with `tracereplay save --endpoint=/tmp/gvisor_events.sock"
        + " --out=src/test/resources/" + TraceLocator.RESOURCE_FOLDER + testClass.getSimpleName() + "`"
        + " while runsc runs with a trace session whose remote sink has that endpoint, and name the"
        + " client-NNNN file it writes " + value + "; or write one from protobuf messages with "
        + TraceBuilder.class.getName() + ".";
  }

  /**
   * The {@code @ReplayTrace} an unannotated {@code TraceReplayer} parameter takes: that of its
   * method, else of the test method being run, else of the test class or a class enclosing it.
   */
  private static Optional<ReplayTrace> defaultTrace(ParameterContext parameter, ExtensionContext context) {
    Optional<ReplayTrace> trace = AnnotationSupport.findAnnotation(parameter.getDeclaringExecutable(), ReplayTrace.class);
    if (trace.isEmpty()) {
      Optional<Method> testMethod = context.getTestMethod();
      if (testMethod.isPresent()) {
        trace = AnnotationSupport.findAnnotation(testMethod.get(), ReplayTrace.class);
      }
    }
    if (trace.isEmpty() && context.getTestClass().isPresent()) {
      trace = AnnotationSupport.findAnnotation(context.getTestClass().get(), ReplayTrace.class);
      for (Iterator<Class<?>> enclosing = enclosingTestClasses(context).iterator(); trace.isEmpty() && enclosing.hasNext(); ) {
        trace = AnnotationSupport.findAnnotation(enclosing.next(), ReplayTrace.class);
      }
    }
    return trace;
  }

  /**
   * The test classes enclosing the test's class ({@code @Nested} classes), innermost first, found
   * through the parent contexts: JUnit's own {@code ExtensionContext.getEnclosingTestClasses()} is
   * 5.12's, and the extension supports JUnit 5.10 and later.
   */
  private static List<Class<?>> enclosingTestClasses(ExtensionContext context) {
    List<Class<?>> enclosing = new ArrayList<>();
    Class<?> testClass = context.getTestClass().orElse(null);
    for (Optional<ExtensionContext> parent = context.getParent(); parent.isPresent(); parent = parent.get().getParent()) {
      Optional<Class<?>> parentClass = parent.get().getTestClass();
      if (parentClass.isPresent() && parentClass.get() != testClass && !enclosing.contains(parentClass.get())) {
        enclosing.add(parentClass.get());
      }
    }
    return enclosing;
  }

  /** The test's private directory, created on first use and deleted when the test's store closes. */
  private static TestDirectory testDirectory(ExtensionContext context) {
    Path parent = Path.of(context.getConfigurationParameter(ENDPOINT_DIRECTORY_PROPERTY)
        .orElse(DEFAULT_ENDPOINT_DIRECTORY));
    // Keyed by the context's id: a store also answers with its parents' values, and a directory
    // of the class must not be shared by its tests.
    return context.getStore(NAMESPACE).getOrComputeIfAbsent("directory " + context.getUniqueId(),
        key -> new TestDirectory(parent, context, defaultCleanupMode(context)), TestDirectory.class);
  }
}
