package dev.tracereplay.cli;

import dev.tracereplay.runsc.Runsc;
import dev.tracereplay.runsc.Sandbox;
import dev.tracereplay.runsc.SandboxRecording;
import dev.tracereplay.runsc.TracePreset;
import dev.tracereplay.runsc.UnknownTraceNameException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tracereplay record}: gVisor's three-step walkthrough (start {@code save}, write a pod-init
 * config, run {@code runsc do}) in one command, through {@link Runsc#sandbox()}.
 */
@Command(name = "record",
    header = "Runs a command in a gVisor sandbox and records its trace session into a new file.",
    description = {
        "Runs 'runsc --rootless --network=none do CMD [ARGS...]' in / with a clean environment, with a trace"
            + " session of the points asked for, records it on a private socket, and moves the recording to"
            + " --out once the sandbox has ended. The sandbox reads this command's stdin and writes to its stdout"
            + " and stderr; then one line on stderr says what was recorded: Recorded N messages to \"FILE\".",
        "The points: those of --preset and --points; neither means --preset=files-and-processes. A preset's"
            + " points come with every context field they offer, named points with none, unless"
            + " --context-fields says which. Every name is checked against what this runsc offers ('tracereplay"
            + " points' lists them); an unknown one is a usage error naming the nearest.",
        "--out is never replaced: an existing file is an error, before anything runs. runsc needs root, or"
            + " unprivileged user namespaces. CMD's options need no '--' before them: everything from CMD on is"
            + " the sandbox's."},
    exitCodeList = {
        "  N:The sandboxed command's exit code (0 when it succeeded, 128+S when killed by signal S).",
        ExitCodes.FAILURE_LINE + " E.g. --out exists, runsc is missing or could not start the sandbox, or the"
            + " recording passed --max-bytes.",
        ExitCodes.USAGE_LINE + " E.g. a trace point this runsc does not offer.",
        ExitCodes.BUG_LINE,
        "130:Stopped by SIGINT (143: SIGTERM); what was recorded is kept, and the line on stderr says where."},
    modelTransformer = RecordCommand.StopAtCommand.class)
final class RecordCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "The trace file to write; it must not exist. Missing directories are created.")
  Path out;

  @Option(names = "--points", split = ",", paramLabel = "NAME",
      description = "Trace points, e.g. syscall/openat/enter,syscall/openat/exit,container/start.")
  List<String> points = new ArrayList<>();

  @Option(names = "--context-fields", paramLabel = "FIELD[,FIELD...]",
      description = "The context fields of every point, e.g. time,process_name; empty for none"
          + " (default: every field a preset's point offers, none for --points).")
  String contextFields;

  @Option(names = "--preset", split = ",", paramLabel = "NAME",
      description = "Named sets of points: files-and-processes (the default) or all (every point, every field).")
  List<String> presets = new ArrayList<>();

  @Option(names = "--runsc", paramLabel = "PATH", description = "The runsc to run (default: the one on the PATH).")
  Path runsc;

  @Option(names = "--runsc-flag", paramLabel = "FLAG",
      description = "A flag for runsc, before 'do', e.g. --runsc-flag=--platform=kvm; may be repeated.")
  List<String> runscFlags = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "5m", converter = OptionValues.Time.class,
      description = "How long the sandbox may run before it is stopped and the command fails (default:"
          + " ${DEFAULT-VALUE}; 0 for no limit).")
  Duration timeout;

  @Option(names = "--max-bytes", paramLabel = "SIZE", defaultValue = "1G", converter = OptionValues.Bytes.class,
      description = "The largest the recording may grow, in bytes or with K, M or G, e.g. 100M (default:"
          + " ${DEFAULT-VALUE}). A session that passes it fails the command: what was recorded before is kept in"
          + " the sandbox's private directory (the error says where), never at --out.")
  long maxBytes;

  @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command to run in the sandbox, and its arguments.")
  List<String> command;

  @Override
  public Integer call() throws IOException {
    Sandbox sandbox = configure();
    try (StopSignals stop = StopSignals.register()) {
      Thread recording = Thread.currentThread();
      String[] cause = new String[1];
      Thread watcher = new Thread(() -> {
        String why = stop.await();
        if (!why.equals("interrupt")) {
          cause[0] = why;
          recording.interrupt();
        }
      }, "tracereplay-record-stop");
      watcher.setDaemon(true);
      watcher.start();
      try {
        SandboxRecording recorded = sandbox.recordTo(out);
        Output.print(spec.commandLine().getErr(),
            "Recorded " + recorded.messages() + " messages to " + GoQuote.quote(out.toString()) + "\n");
        return recorded.exitCode();
      } catch (UnknownTraceNameException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      } catch (InterruptedException e) {
        Output.print(spec.commandLine().getErr(), spec.qualifiedName() + ": " + FailureHandler.oneLine(e.getMessage()) + "\n");
        return "SIGTERM".equals(cause[0]) ? 143 : 130;
      } finally {
        watcher.interrupt();
        Thread.interrupted(); // a stop that came as the recording ended is not this thread's business any more
      }
    }
  }

  private Sandbox configure() {
    Sandbox sandbox = Runsc.sandbox().inheritIO().command(command)
        .timeout(timeout.isZero() ? OptionValues.Time.MAX : timeout);
    try {
      sandbox.maxBytes(maxBytes);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '--max-bytes': " + e.getMessage());
    }
    try {
      if (runsc != null) {
        sandbox.runsc(runsc);
      }
      sandbox.flags(runscFlags.toArray(String[]::new));
      presets.forEach(name -> sandbox.preset(TracePreset.named(name)));
      sandbox.points(names("--points", points));
      if (contextFields != null) {
        sandbox.contextFields(contextFields.isBlank() ? List.of()
            : names("--context-fields", List.of(contextFields.split(",", -1))));
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return sandbox;
  }

  private static List<String> names(String option, List<String> names) {
    if (names.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException(option + " holds an empty name: '" + String.join(",", names) + "'");
    }
    return names;
  }

  /**
   * Everything from the first positional parameter on belongs to the sandboxed command, so that
   * {@code record --out=F /bin/ls -l} passes {@code -l} to ls, as {@code runsc do} and {@code env} do.
   */
  static final class StopAtCommand implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      spec.parser().stopAtPositional(true);
      return spec;
    }
  }
}
