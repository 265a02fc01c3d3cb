package dev.tracereplay.cli;

import dev.tracereplay.file.TraceFileException;
import dev.tracereplay.file.TraceVerification;
import dev.tracereplay.file.TraceVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tracereplay repair}: keeps the valid part of a trace file cut short. */
@Command(name = "repair",
    header = "Writes the valid part of a truncated trace file (its header and every complete record) to a new file.",
    description = {
        "Copies the longest valid prefix of --in, byte for byte, to --out, which must not exist and is"
            + " created owner-only: nothing is ever overwritten, and --in is left as it is; it is read once, so"
            + " it may be a pipe such as --in=<(...). A valid file is copied whole. A corrupt file"
            + " (not a trace file, a bad config, a record over --max-record-size) cannot be repaired."},
    exitCodeList = {
        " 0:--out holds the valid prefix (the whole file, when it was valid).",
        ExitCodes.FAILURE_LINE + " E.g. --out exists, or --in cannot be read.",
        " 2:--in is corrupt and cannot be repaired (the reason is printed); or a usage error."})
final class RepairCommand implements Callable<Integer> {
  static final int CORRUPT = 2;

  @Spec CommandSpec spec;

  @Mixin TraceInputOptions input;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "The repaired file to create; it must not exist.")
  Path out;

  @Override
  public Integer call() throws IOException {
    TraceVerification repair;
    try {
      repair = TraceVerifier.repair(input.trace(), out, input.maxRecordSize);
    } catch (TraceFileException corrupt) {
      Output.print(spec.commandLine().getErr(), spec.qualifiedName() + ": cannot repair a corrupt file: "
          + FailureHandler.oneLine(corrupt.getMessage()) + "\n");
      return CORRUPT;
    }
    String kept = repair.isValid()
        ? input.file + " was already valid: kept all " + repair.records() + " records"
        : "Kept " + repair.records() + " complete records of " + input.file;
    Output.print(spec.commandLine().getOut(), kept + " (" + repair.validLength() + " bytes) in " + out
        + "; dropped " + repair.droppedBytes() + " bytes" + (repair.isValid() ? "" : " (a torn record)") + ".\n");
    return ExitCodes.OK;
  }
}
