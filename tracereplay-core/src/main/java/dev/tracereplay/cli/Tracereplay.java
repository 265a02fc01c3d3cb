package dev.tracereplay.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code tracereplay} command: gVisor's {@code save} and {@code replay}, and tools for trace
 * files. Each subcommand is a class of its own; adding one is one line in {@code subcommands}.
 * Subcommands inherit {@code --help} and {@code --version} ({@code scope = INHERIT}).
 *
 * <p>{@code new CommandLine(new Tracereplay())} comes fully set up (the failure handling is
 * installed by {@link Setup}), so {@link #main} and tests run exactly the same command; all
 * output goes through the command line's {@code getOut()} and {@code getErr()}.
 */
@Command(name = "tracereplay",
    header = "Records gVisor runsc trace sessions into files and replays them, byte for byte.",
    description = "Run 'tracereplay help COMMAND' for a command's options.",
    synopsisSubcommandLabel = "COMMAND",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = Tracereplay.Version.class,
    modelTransformer = Tracereplay.Setup.class,
    subcommands = {
        SaveCommand.class,
        ReplayCommand.class,
        PrintCommand.class,
        StatsCommand.class,
        VerifyCommand.class,
        RepairCommand.class,
        DemoCommand.class,
        HelpCommand.class,
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE, ExitCodes.BUG_LINE})
public final class Tracereplay implements Callable<Integer> {

  @Spec CommandSpec spec;

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    configureLogging();
    System.exit(new CommandLine(new Tracereplay()).execute(args));
  }

  /** Without a subcommand: a usage error. */
  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing a command: save, replay, print, stats, verify, repair or demo");
  }

  /**
   * The library's log lines (a client refused, a malformed packet) for a person at a terminal:
   * on stderr, level info, level and class name only. Set here, for the command line only: a
   * simplelogger.properties in the jar would change the logging of every application using the
   * library. A -D option given to the JVM still wins.
   */
  private static void configureLogging() {
    String prefix = "org.slf4j.simpleLogger.";
    String[][] settings = {
        {"logFile", "System.err"},
        {"defaultLogLevel", "info"},
        {"showDateTime", "false"},
        {"showThreadName", "false"},
        {"showShortLogName", "true"},
        {"levelInBrackets", "false"},
    };
    for (String[] setting : settings) {
      if (System.getProperty(prefix + setting[0]) == null) {
        System.setProperty(prefix + setting[0], setting[1]);
      }
    }
  }

  /**
   * Installs the failure handling when the command line is built. picocli has no annotation for
   * an execution-exception handler; a model transformer runs at construction, with the command
   * line already attached to the model.
   */
  static final class Setup implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      spec.commandLine().setExecutionExceptionHandler(new FailureHandler());
      return spec;
    }
  }

  /** The version Maven recorded in the jar; source builds have none. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties pom = new Properties();
      try (InputStream in = Tracereplay.class.getResourceAsStream(
          "/META-INF/maven/dev.tracereplay/tracereplay-core/pom.properties")) {
        if (in != null) {
          pom.load(in);
        }
      }
      return new String[] {"tracereplay " + pom.getProperty("version", "(development build)")};
    }
  }
}
