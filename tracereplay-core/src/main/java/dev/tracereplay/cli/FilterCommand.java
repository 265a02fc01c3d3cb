package dev.tracereplay.cli;

import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.replay.Fault;
import dev.tracereplay.replay.ReplayClock;
import dev.tracereplay.internal.replay.ReplayPlan;
import dev.tracereplay.replay.ReplayShape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tracereplay filter}: a selection of a trace, as a trace file of its own. */
@Command(name = "filter",
    header = "Writes the messages of a trace that --types and --messages select, less those --fault drops, to a new"
        + " trace file.",
    description = {
        "For cutting small fixtures out of big recordings. The messages kept are copied byte for byte; leaving"
            + " a message out by selection is not a drop. A drop fault (drop@N, drop@N-M, drop~P%% with --seed)"
            + " leaves a message out as runsc does when its socket is full: every later header's dropped_count"
            + " grows by the number dropped so far, wrapping at 2^32. --out must not exist: nothing is ever"
            + " overwritten, and --in is only read (once: it may be a pipe)."},
    exitCodeList = {
        " 0:--out holds the selection, a valid trace file.",
        ExitCodes.FAILURE_LINE + " E.g. --out exists, or --in is not a valid trace (a partly written --out is removed)."},
    modelTransformer = FilterCommand.DropsOnly.class)
final class FilterCommand implements Callable<Integer> {
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  @Spec CommandSpec spec;

  @Mixin TraceInputOptions input;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "The trace file to create; it must not exist. Missing directories are created, for the owner"
          + " only (0700).")
  Path out;

  @Mixin ShapeOptions shaping;

  @Override
  public Integer call() throws IOException {
    ReplayShape shape = shaping.shape(spec.commandLine(), null, null);
    for (Fault fault : shape.faults()) {
      if (!(fault instanceof Fault.Drop || fault instanceof Fault.RandomDrop)) {
        throw new ParameterException(spec.commandLine(), "Invalid value for option '--fault': filter applies only"
            + " drop faults (drop@N, drop@N-M, drop~P%), and " + fault + " changes what is sent, not what is kept:"
            + " give it to 'tracereplay replay --fault' instead");
      }
    }
    if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw exists();
    }
    ReplayPlan plan = ReplayPlan.of(shape, ReplayClock.system());
    long written;
    try (TraceFileReader reader = TraceFileReader.open(input.trace(), input.maxRecordSize)) {
      written = copy(reader, plan);
    }
    Output.print(spec.commandLine().getOut(), "Wrote " + written + " messages to " + out + " (" + plan.messagesSelected()
        + " selected from " + input.file + ", " + plan.messagesDropped() + " dropped).\n");
    return ExitCodes.OK;
  }

  /** Writes what {@code plan} keeps of {@code reader} to a new --out; removes it when that fails. */
  private long copy(TraceFileReader reader, ReplayPlan plan) throws IOException {
    TraceFileWriter writer;
    try {
      createParents();
      writer = TraceFileWriter.create(out, reader.config());
    } catch (FileAlreadyExistsException e) {
      throw exists();
    }
    boolean complete = false;
    try {
      records:
      while (reader.next()) {
        ByteBuffer record = reader.record();
        switch (plan.decide(reader.recordNumber(), record)) {
          case SEND -> writer.append(record);
          case SEND_ALTERED -> writer.append(plan.alteredPacket());
          case STOP -> {
            break records;
          }
          default -> { } // not selected, or dropped
        }
      }
      writer.close();
      complete = true;
      return writer.recordCount();
    } finally {
      if (!complete) {
        try {
          writer.close();
        } catch (IOException e) {
          // the first failure is the one reported; the file goes anyway
        }
        Files.deleteIfExists(out);
      }
    }
  }

  /**
   * Creates --out's missing directories as save creates its --out: rwx------ (less what the umask
   * takes), as the file itself is owner only. Done once --in has proven a trace, so that a bad
   * input leaves nothing behind.
   */
  private void createParents() throws IOException {
    Path parent = out.toAbsolutePath().getParent();
    if (parent == null || Files.isDirectory(parent)) {
      return;
    }
    Path existing = parent;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      throw new IOException(existing + " is not a directory, so --out=" + out + " cannot be created in it: choose"
          + " another --out");
    }
    Files.createDirectories(parent, OWNER_ONLY_DIRECTORY);
  }

  /**
   * --fault's help as filter takes it: only drops. The option comes from {@link ShapeOptions},
   * shared with replay, whose help lists every fault; picocli has no per-command description of
   * a mixin's option, so the option is replaced by a copy (same field) with filter's words.
   */
  static final class DropsOnly implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      OptionSpec fault = spec.findOption("--fault");
      spec.remove(fault);
      spec.addOption(fault.toBuilder().description("A drop fault; repeat the option to combine them: drop@N,"
          + " drop@N-M or drop~P%% (drawn from --seed). Only drops apply to filter: the other faults of"
          + " 'tracereplay replay --fault' change what is sent, not what is kept. N is a 1-based position in"
          + " the file, whatever is selected, at most 9223372036854775807.").build());
      return spec;
    }
  }

  private FileAlreadyExistsException exists() {
    return new FileAlreadyExistsException(out.toString(), null,
        "already exists; filter never overwrites a file. Choose another --out");
  }
}
