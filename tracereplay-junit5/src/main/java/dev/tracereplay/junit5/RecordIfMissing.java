package dev.tracereplay.junit5;

import dev.tracereplay.runsc.Sandbox;
import dev.tracereplay.runsc.SandboxRecording;
import dev.tracereplay.runsc.TracePreset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ReplayTrace#record()}: finds the trace as usual, or records it from a real sandbox into the
 * test's source resources, as {@link Runsc#RECORD_PROPERTY} allows; the contract is on {@link Runsc}.
 * Tests recording the same file at once take turns (one records, the others replay its file); the
 * lock and what {@code all} re-recorded live in the root context's store, so they last one test run.
 */
final class RecordIfMissing {
  private static final Logger log = LoggerFactory.getLogger(RecordIfMissing.class);
  private static final Namespace NAMESPACE = Namespace.create(RecordIfMissing.class);

  /** What may be recorded. */
  enum Mode {
    MISSING, NONE, ALL;

    /** The mode the property names, else {@code NONE} when the environment variable CI is "true", else {@code MISSING}. */
    static Mode of(Optional<String> property, String ci) {
      if (property.isEmpty()) {
        return "true".equals(ci) ? NONE : MISSING;
      }
      try {
        return valueOf(property.get().strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ParameterResolutionException(Runsc.RECORD_PROPERTY + " must be missing, none or all, was '"
            + property.get() + "'");
      }
    }
  }

  /** Looks for the trace where {@link ReplayTrace} says. */
  @FunctionalInterface
  interface Lookup {
    Optional<TraceLocator.Found> find() throws IOException;
  }

  private final ReplayTrace trace;
  private final ExtensionContext context;
  private final String annotation;

  private RecordIfMissing(ReplayTrace trace, ExtensionContext context) {
    this.trace = trace;
    this.context = context;
    this.annotation = "@ReplayTrace(\"" + trace.value() + "\")";
  }

  /**
   * The trace of {@code trace}: what {@code lookup} finds, unless its {@code record} says how to
   * record it and the mode asks for that; then the recording.
   *
   * @throws ParameterResolutionException when the trace is missing and may not be recorded, or recording failed
   */
  static Optional<TraceLocator.Found> findOrRecord(ReplayTrace trace, ExtensionContext context, Lookup lookup)
      throws IOException {
    if (trace.record().command().length == 0) {
      return lookup.find();
    }
    return new RecordIfMissing(trace, context).findOrRecord(lookup);
  }

  private Optional<TraceLocator.Found> findOrRecord(Lookup lookup) throws IOException {
    Optional<String> property = context.getConfigurationParameter(Runsc.RECORD_PROPERTY);
    Mode mode = Mode.of(property, System.getenv("CI"));
    if (mode != Mode.ALL) {
      Optional<TraceLocator.Found> found = lookup.find();
      if (found.isPresent()) {
        return found;
      }
    }
    Path target = target();
    ReentrantLock lock = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent("lock " + target, key -> new ReentrantLock(), ReentrantLock.class);
    lock.lock();
    try {
      String recorded = "recorded " + target;
      boolean recordedInThisRun = context.getRoot().getStore(NAMESPACE).get(recorded) != null;
      if (Files.isRegularFile(target) && (mode != Mode.ALL || recordedInThisRun)) {
        return Optional.of(found(target));
      }
      if (mode == Mode.NONE) {
        throw new ParameterResolutionException(annotation + " found no trace, and " + Runsc.RECORD_PROPERTY + " is none"
            + (property.isPresent() ? "" : " (its default when the environment variable CI is true)")
            + ", so it is not recorded. Recording it would write " + target + " by running " + sandbox()
            + ". Record it where runsc runs (-D" + Runsc.RECORD_PROPERTY + "=missing), then commit the file.");
      }
      record(target);
      context.getRoot().getStore(NAMESPACE).put(recorded, Boolean.TRUE);
      return Optional.of(found(target));
    } finally {
      lock.unlock();
    }
  }

  private static TraceLocator.Found found(Path file) {
    return new TraceLocator.Found(file, new TraceLocator.Place(null, file));
  }

  /** {@code <source resources>/tracereplay/<TestClassSimpleName>/<value>}. */
  private Path target() {
    Class<?> testClass = context.getRequiredTestClass();
    Path folder = context.getConfigurationParameter(Runsc.RECORD_DIRECTORY_PROPERTY)
        .map(directory -> Path.of(directory).toAbsolutePath())
        .or(() -> SourceResources.of(testClass))
        .orElseThrow(() -> new ParameterResolutionException(annotation + " cannot be recorded: the module of "
            + testClass.getName() + " is unknown, as no directory above its classes (" + SourceResources.codeSource(testClass)
            + ") holds a pom.xml, build.gradle or build.gradle.kts. Set the configuration parameter "
            + Runsc.RECORD_DIRECTORY_PROPERTY + " to the test resources folder to record into"));
    Path name;
    try {
      name = Path.of(trace.value()).normalize();
    } catch (InvalidPathException e) {
      name = null;
    }
    if (name == null || name.isAbsolute() || name.startsWith("..") || name.toString().isEmpty()) {
      throw new ParameterResolutionException(annotation + " cannot be recorded: a recorded trace needs a relative name"
          + " inside the test class's folder, e.g. @ReplayTrace(value = \"cat-passwd\", record = @Runsc(...))");
    }
    return folder.resolve(TraceLocator.RESOURCE_FOLDER + testClass.getSimpleName()).resolve(name);
  }

  private void record(Path target) {
    Sandbox sandbox = sandbox();
    boolean replacing = Files.exists(target);
    Path file = replacing ? target.resolveSibling("." + target.getFileName() + ".recording-" + UUID.randomUUID()) : target;
    SandboxRecording recording;
    try {
      recording = sandbox.recordTo(file);
      if (recording.exitCode() != trace.record().exitCode()) {
        Files.delete(file);
        throw new ParameterResolutionException(annotation + ": the recorded command ended with exit code "
            + recording.exitCode() + ", not " + trace.record().exitCode() + " (@Runsc(exitCode)), so its recording was"
            + " not kept; its output is in the test's output. The command: " + sandbox);
      }
      if (replacing) {
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new ParameterResolutionException(annotation + ": recording the trace failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ParameterResolutionException(annotation + ": interrupted while recording the trace: " + e.getMessage(), e);
    }
    log.info("{} {} messages from a runsc sandbox into {}: commit it with the test. The command: {}",
        replacing ? "Re-recorded" : "Recorded", recording.messages(), target, sandbox);
    context.publishReportEntry("tracereplay.recorded", target.toString());
  }

  private Sandbox sandbox() {
    Runsc record = trace.record();
    try {
      Sandbox sandbox = dev.tracereplay.runsc.Runsc.sandbox().command(record.command()).points(record.points())
          .timeout(Duration.ofSeconds(record.timeoutSeconds())).stdout(System.out).stderr(System.err);
      if (record.contextFields().length > 0) {
        sandbox.contextFields(record.contextFields());
      }
      if (!record.preset().isBlank()) {
        sandbox.preset(TracePreset.named(record.preset()));
      }
      context.getConfigurationParameter(Runsc.RUNSC_PROPERTY).ifPresent(runsc -> sandbox.runsc(Path.of(runsc)));
      return sandbox;
    } catch (IllegalArgumentException e) {
      throw new ParameterResolutionException(annotation + ": its @Runsc is invalid: " + e.getMessage(), e);
    }
  }
}
