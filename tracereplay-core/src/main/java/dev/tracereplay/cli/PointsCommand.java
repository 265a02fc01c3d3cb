package dev.tracereplay.cli;

import dev.tracereplay.runsc.Runsc;
import dev.tracereplay.runsc.RunscMetadata;
import dev.tracereplay.runsc.TracePreset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tracereplay points}: what {@code record} can ask of this runsc, from {@code runsc trace metadata}. */
@Command(name = "points",
    header = "Lists the trace points and context fields this runsc offers, and the presets.",
    description = {
        "One line a point: its name, then the optional fields it can add. Then the context fields (a line per"
            + " point that offers others than every point does), then the presets of 'record --preset'."},
    exitCodeList = {ExitCodes.FAILURE_LINE + " E.g. runsc is not installed."})
final class PointsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--runsc", paramLabel = "PATH", description = "The runsc to ask (default: the one on the PATH).")
  Path runsc;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Path executable = runsc != null ? runsc : Runsc.locate().orElse(null);
    RunscMetadata metadata = executable != null ? Runsc.metadata(executable) : Runsc.metadata();
    List<RunscMetadata.Point> points = metadata.points();
    List<String> everywhere = metadata.contextFields().stream()
        .filter(field -> points.stream().allMatch(point -> point.contextFields().contains(field))).toList();
    int width = points.stream().mapToInt(point -> point.name().length()).max().orElse(0) + 2;
    StringBuilder text = new StringBuilder(points.size() + " trace points of " + executable + ":\n");
    for (RunscMetadata.Point point : points) {
      StringBuilder line = new StringBuilder(point.name());
      if (!point.optionalFields().isEmpty()) {
        line.append(" ".repeat(width - point.name().length())).append("optional fields: ")
            .append(String.join(", ", point.optionalFields()));
      }
      if (!point.contextFields().equals(everywhere)) {
        line.append(point.optionalFields().isEmpty() ? " ".repeat(width - point.name().length()) : "; ")
            .append("context fields: ").append(String.join(", ", point.contextFields()));
      }
      text.append(line).append('\n');
    }
    text.append("Context fields of every point: ").append(everywhere.isEmpty() ? "none" : String.join(", ", everywhere))
        .append('\n');
    text.append("Presets (record --preset=NAME): ").append(List.of(TracePreset.values()).stream()
        .map(preset -> preset.presetName() + " (" + preset.pointNames(metadata).size() + " points)")
        .collect(Collectors.joining(", "))).append('\n');
    Output.print(spec.commandLine().getOut(), text.toString());
    return ExitCodes.OK;
  }
}
