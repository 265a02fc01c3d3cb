package dev.tracereplay.cli;

import dev.tracereplay.file.RecordTooLargeException;
import dev.tracereplay.file.TraceVerification;
import dev.tracereplay.file.TraceVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tracereplay verify}: whether a trace file is whole, cut short, or corrupt. */
@Command(name = "verify",
    header = "Checks that a trace file is whole: its header, then complete records up to its last byte.",
    description = {
        "Reads the whole file once (in constant memory; a pipe such as --in=<(...) works too). A valid file gets a one-line summary on stdout. A file"
            + " cut short (a recording interrupted by a crash or a full disk) is reported on stderr with"
            + " where its last complete record ends and the repair command that keeps every complete record;"
            + " a corrupt file is reported on stderr with what is wrong and where."},
    exitCodeOnExecutionException = VerifyCommand.CORRUPT,
    exitCodeList = {
        " 0:The file is a valid trace.",
        " 1:The file is truncated: it ends inside a record; 'tracereplay repair' keeps the records before.",
        " 2:The file is corrupt (not a trace file, bad config, a record over --max-record-size) or cannot"
            + " be read; or a usage error."})
final class VerifyCommand implements Callable<Integer> {
  static final int TRUNCATED = 1;
  static final int CORRUPT = 2;
  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

  @Spec CommandSpec spec;

  @Mixin TraceInputOptions input;

  @Override
  public Integer call() throws IOException {
    TraceVerification check = TraceVerifier.verify(input.trace(), input.maxRecordSize);
    switch (check.status()) {
      case VALID -> {
        Output.print(spec.commandLine().getOut(), input.file + ": valid trace, version "
            + Integer.toUnsignedString(check.config().version()) + ", " + check.records() + " records, "
            + check.fileSize() + " bytes\n");
        return ExitCodes.OK;
      }
      case TRUNCATED -> {
        // A pipe (--in=<(...), /dev/stdin) has been read: repair must be given the same bytes again.
        boolean file = Files.isRegularFile(input.file);
        String repaired = file ? shellWord(input.file + ".repaired") : "repaired.trace";
        Output.print(spec.commandLine().getErr(), input.file + ": truncated after record " + check.records()
            + ": the last complete record ends at byte offset " + check.validLength() + "; the "
            + check.droppedBytes() + " bytes after it are a torn record.\n"
            + "To keep the header and the " + check.records() + " complete records"
            + (file ? "" : " (this input is not a file and has been read: give repair the same bytes again)")
            + ": tracereplay repair --in=" + shellWord(input.file.toString()) + " --out=" + repaired + "\n");
        return TRUNCATED;
      }
      default -> {
        String advice = check.problem() instanceof RecordTooLargeException ? " The limit is --max-record-size." : "";
        Output.print(spec.commandLine().getErr(), FailureHandler.oneLine(check.problem().getMessage()) + advice
            + "\n");
        return CORRUPT;
      }
    }
  }

  /** The word as a POSIX shell reads it back: as is when safe, else in single quotes. */
  static String shellWord(String word) {
    return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}
