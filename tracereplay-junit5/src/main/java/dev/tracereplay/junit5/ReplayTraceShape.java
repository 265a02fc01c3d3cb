package dev.tracereplay.junit5;

import dev.tracereplay.replay.ReplayShape;
import dev.tracereplay.replay.ShapeException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/** The replay shape of a {@link ReplayTrace}'s attributes, read by the command line's parser. */
final class ReplayTraceShape {
  private ReplayTraceShape() {}

  /**
   * The shape {@code trace}'s attributes describe.
   *
   * @throws ParameterResolutionException naming the annotation, the attribute and the spec, when one does not parse
   */
  static ReplayShape of(ReplayTrace trace) {
    try {
      return ReplayShape.parse(List.of(trace.faults()), List.of(trace.types()), trace.messages(),
          trace.speed() == 0 ? null : trace.speed(), trace.rate() == 0 ? null : trace.rate(), trace.seed());
    } catch (ShapeException e) {
      throw failure(trace, e);
    }
  }

  /** The test's failure for {@code problem} in {@code trace}'s shape: the annotation as written, then the problem. */
  static ParameterResolutionException failure(ReplayTrace trace, ShapeException problem) {
    return new ParameterResolutionException(describe(trace, problem) + ": " + problem.getMessage(), problem);
  }

  /** The annotation as written, with the attribute at fault: {@code @ReplayTrace(value = "x", faults = {"drop@x"})}. */
  private static String describe(ReplayTrace trace, ShapeException problem) {
    String attribute = switch (problem.part()) {
      case FAULTS -> "faults = " + strings(trace.faults());
      case TYPES -> "types = " + strings(trace.types());
      case MESSAGES -> "messages = \"" + trace.messages() + "\"";
      case SPEED -> trace.rate() != 0 && trace.speed() != 0 ? "speed = " + trace.speed() + ", rate = " + trace.rate()
          : "speed = " + trace.speed();
      case RATE -> "rate = " + trace.rate();
    };
    return "@ReplayTrace(value = \"" + trace.value() + "\", " + attribute + ")";
  }

  private static String strings(String[] values) {
    String list = Arrays.stream(values).map(value -> "\"" + value + "\"").collect(Collectors.joining(", "));
    return values.length == 1 ? list : "{" + list + "}";
  }
}
