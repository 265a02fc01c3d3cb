package dev.tracereplay.cli;

import dev.tracereplay.replay.ReplayShape;
import dev.tracereplay.replay.ShapeException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of a subcommand that takes a shaped selection of a trace ({@code replay},
 * {@code filter}): {@code --types}, {@code --messages}, {@code --fault} and {@code --seed}, read
 * by {@link ReplayShape#parse}, the parser {@code @ReplayTrace} uses too.
 */
final class ShapeOptions {

  @Option(names = "--fault", paramLabel = "SPEC",
      // Fault.GRAMMAR, with its % doubled for picocli's String.format (a test checks they agree).
      description = "A deliberate fault; repeat the option to combine them: drop@N, drop@N-M, drop~P%%, corrupt@N,"
          + " short@N, bad-header@N, unknown-type@N, oversize@N, stall@N:DURATION (e.g. 500ms, 2s), close@N,"
          + " handshake-version=V (N: a 1-based message number in the file). N is a position in the file,"
          + " whatever is selected or dropped, at most 9223372036854775807; a stall is at most 1h. Faults apply"
          + " to the packet as it would otherwise be sent.")
  List<String> faults = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "S",
      description = "The seed of drop~P%%: the same seed drops the same messages (default: ${DEFAULT-VALUE}).")
  long seed = ReplayShape.DEFAULT_SEED;

  @Option(names = "--types", paramLabel = "TYPE[,TYPE...]",
      description = "Only messages of these types: payload names (open, read, start, cloneinfo), MessageType"
          + " names (SYSCALL_OPEN) or header numbers (7; any number to 65535, for types from a newer runsc).")
  String types;

  @Option(names = "--messages", paramLabel = "FROM-TO",
      description = "Only the messages FROM to TO, both included (1-based positions in the file; FROM- to the end).")
  String messages;

  /** The shape these options and the pacing give; a spec that does not parse is a usage error naming its option. */
  ReplayShape shape(CommandLine command, Double speed, Double rate) {
    try {
      return ReplayShape.parse(faults, types == null ? List.of() : List.of(types), messages, speed, rate, seed);
    } catch (ShapeException e) {
      throw usageError(command, e);
    }
  }

  /** A usage error for {@code problem}, naming the option it is about. */
  static ParameterException usageError(CommandLine command, ShapeException problem) {
    String option = switch (problem.part()) {
      case FAULTS -> "--fault";
      case TYPES -> "--types";
      case MESSAGES -> "--messages";
      case SPEED -> "--speed";
      case RATE -> "--rate";
    };
    return new ParameterException(command, "Invalid value for option '" + option + "': " + problem.getMessage(), problem,
        null, problem.spec());
  }
}
