package dev.tracereplay.junit5;

import dev.tracereplay.TraceReplayer;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter extension that gives tests a replayer of a saved runsc session and a socket
 * path for the sink under test, so that a sink is tested with real trace data and no sandbox:
 *
 * <pre>{@code
 * @ExtendWith(TraceReplayExtension.class)
 * class MySinkTest {
 *   @Test
 *   void countsEveryOpen(@ReplayTrace("client-0001") TraceReplayer replayer, @TraceEndpoint Path endpoint)
 *       throws Exception {
 *     try (MySink sink = MySink.listenOn(endpoint)) {
 *       ReplayResult result = replayer.replayTo(endpoint);
 *       assertThat(sink.opens()).isEqualTo(result.messagesOf(MessageType.SYSCALL_OPEN));
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>It resolves {@link ReplayTrace} parameters of type {@link TraceReplayer} (and unannotated
 * {@code TraceReplayer} parameters of a method or class annotated with {@code @ReplayTrace}) and
 * {@link TraceEndpoint} parameters of type {@link Path}; the annotations' javadoc is the contract.
 * Everything it creates belongs to one test and is kept in that test's
 * {@link ExtensionContext.Store}, so JUnit removes it when the test ends, passed or failed.
 *
 * <p>The extension has no state of its own: tests using it may run in parallel.
 */
public final class TraceReplayExtension implements ParameterResolver {
  /**
   * The configuration parameter naming the directory in which each test's private endpoint
   * directory is created (default {@value #DEFAULT_ENDPOINT_DIRECTORY}); keep it short, as socket
   * paths hold at most 107 bytes.
   */
  public static final String ENDPOINT_DIRECTORY_PROPERTY = "tracereplay.endpoint.directory";

  /** The default of {@link #ENDPOINT_DIRECTORY_PROPERTY}. */
  public static final String DEFAULT_ENDPOINT_DIRECTORY = "/tmp";

  private static final Namespace NAMESPACE = Namespace.create(TraceReplayExtension.class);

  /** Created by JUnit, through {@code @ExtendWith(TraceReplayExtension.class)}. */
  public TraceReplayExtension() {}

  /** Resources of a test instance's constructor belong to each test, as those of its methods. */
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
    Class<?> type = parameter.getParameter().getType();
    if (parameter.isAnnotated(TraceEndpoint.class)) {
      if (parameter.isAnnotated(ReplayTrace.class)) {
        throw new ParameterResolutionException("A parameter cannot be both @TraceEndpoint and @ReplayTrace:"
            + " @TraceEndpoint is the sink's socket path (java.nio.file.Path), @ReplayTrace the trace replayed"
            + " into it (dev.tracereplay.TraceReplayer)");
      }
      if (type != Path.class) {
        throw new ParameterResolutionException("Can only resolve @TraceEndpoint parameter of type "
            + Path.class.getName() + " but was: " + type.getName());
      }
      try {
        return testDirectory(context).newEndpoint();
      } catch (IOException e) {
        throw new ParameterResolutionException("@TraceEndpoint: " + e.getMessage(), e);
      }
    }
    ReplayTrace trace = parameter.findAnnotation(ReplayTrace.class)
        .orElseGet(() -> defaultTrace(parameter, context).orElseThrow());
    if (type != TraceReplayer.class) {
      throw new ParameterResolutionException("Can only resolve @ReplayTrace parameter of type "
          + TraceReplayer.class.getName() + " but was: " + type.getName());
    }
    return replayer(trace, context);
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
    try {
      return TraceReplayer.of(found.file()).withShape(ReplayTraceShape.of(trace));
    } catch (IOException e) {
      throw new ParameterResolutionException(annotation + " found the " + found.place()
          + ", which is not a trace file: " + e.getMessage(), e);
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
        key -> new TestDirectory(parent), TestDirectory.class);
  }
}
