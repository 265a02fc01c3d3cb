package dev.tracereplay.cli;

import dev.tracereplay.points.TracePoints;
import dev.tracereplay.points.TracePrinter;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tracereplay print}: every message of a trace, decoded, one line each. */
@Command(name = "print",
    header = "Prints each message of a trace file decoded, one line each, as gVisor's example server does.",
    description = {
        "Events print as '<Message> => <text format>', syscalls as 'E <Message> <text>' on enter and"
            + " 'X <Message> <text>' on exit, where <text> is the protobuf text format on one line. A message"
            + " of an unknown type prints 'Invalid message type: N' and the listing goes on; when the header's"
            + " dropped_count grew, a 'Dropped N points' line comes first."})
final class PrintCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin TraceInputOptions input;

  @Option(names = "--json", description = "One JSON object per line: the header fields and the payload in proto3 JSON.")
  boolean json;

  @Option(names = "--types", paramLabel = "TYPE[,TYPE...]",
      description = "Only these message types: payload names (open, read, start, cloneinfo),"
          + " MessageType names (SYSCALL_OPEN) or numbers (7).")
  String types;

  @Option(names = "--limit", paramLabel = "N", description = "Print at most N messages.")
  Long limit;

  @Override
  public Integer call() throws IOException {
    TracePrinter.Builder printer = TracePrinter.builder()
        .format(json ? TracePrinter.Format.JSON : TracePrinter.Format.TEXT);
    try {
      if (types != null) {
        printer.types(TracePoints.parseTypes(types));
      }
      if (limit != null) {
        printer.limit(limit);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    printer.build(spec.commandLine().getOut()).printFile(input.trace(), input.maxRecordSize);
    return ExitCodes.OK;
  }
}
