package dev.tracereplay.cli;

import dev.tracereplay.points.TraceStats;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tracereplay stats}: what a trace holds, without printing it. */
@Command(name = "stats",
    header = "Summarizes a trace file: messages per type, bytes, wire version, dropped points, time span.",
    description = {
        "The time span is known when the trace session asked for the 'time' context field: it comes from"
            + " the payloads' context_data.time_ns."})
final class StatsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin TraceInputOptions input;

  @Override
  public Integer call() throws IOException {
    Output.print(spec.commandLine().getOut(), TraceStats.of(input.trace(), input.maxRecordSize).render());
    return ExitCodes.OK;
  }
}
