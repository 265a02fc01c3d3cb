package dev.tracereplay.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
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
 * files. Each subcommand is a class of its own; adding one is a line in {@link #COMMANDS} and one
 * in {@link #subcommand}. Subcommands inherit {@code --help} and {@code --version}
 * ({@code scope = INHERIT}).
 *
 * <p>{@code new CommandLine(new Tracereplay())} comes fully set up (the subcommands and the
 * failure handling are installed by {@link Setup}), so {@link #main} and tests run the same
 * command; all output goes through the command line's {@code getOut()} and {@code getErr()}.
 * {@link #main} builds only the subcommand its arguments name (see {@link #forArguments}).
 */
@Command(name = "tracereplay",
    header = "Records gVisor runsc trace sessions into files and replays them, byte for byte.",
    description = "Run 'tracereplay help COMMAND' for a command's options.",
    synopsisSubcommandLabel = "COMMAND",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = Tracereplay.Version.class,
    modelTransformer = Tracereplay.Setup.class,
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE, ExitCodes.BUG_LINE})
public final class Tracereplay implements Callable<Integer> {

  /** The subcommands' names, in the order the usage lists them. */
  static final List<String> COMMANDS = List.of("save", "replay", "filter", "record", "points", "print", "stats",
      "verify", "repair", "demo", "help");

  @Spec CommandSpec spec;

  /** The one subcommand to build, or null for all of them. */
  private final String only;

  /** The whole command line, with every subcommand. */
  public Tracereplay() {
    this(null);
  }

  private Tracereplay(String only) {
    this.only = only;
  }

  /**
   * The command for {@code args}: with only the subcommand they start with, if they start with
   * one, else with every subcommand (the usage, {@code help} and the suggestions for a mistyped
   * command need them all). picocli builds the model of each subcommand it is given, by
   * reflection, up front: the other seven cost a short command such as a replay about a tenth of
   * its start-up. A subcommand's parsing, help, errors and exit codes are the same either way.
   */
  static Tracereplay forArguments(String... args) {
    boolean namesOne = args.length > 0 && !args[0].equals("help") && COMMANDS.contains(args[0]);
    return new Tracereplay(namesOne ? args[0] : null);
  }

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    configureLogging();
    System.exit(new CommandLine(forArguments(args)).execute(args));
  }

  /** A new instance of the subcommand {@code name}, one of {@link #COMMANDS}. */
  static Object subcommand(String name) {
    return switch (name) {
      case "save" -> new SaveCommand();
      case "replay" -> new ReplayCommand();
      case "filter" -> new FilterCommand();
      case "record" -> new RecordCommand();
      case "points" -> new PointsCommand();
      case "print" -> new PrintCommand();
      case "stats" -> new StatsCommand();
      case "verify" -> new VerifyCommand();
      case "repair" -> new RepairCommand();
      case "demo" -> new DemoCommand();
      case "help" -> new HelpCommand();
      default -> throw new IllegalArgumentException("no subcommand named " + name);
    };
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
   * Adds the subcommands and installs the failure handling when the command line is built.
   * picocli has no annotation for an execution-exception handler, nor for building only some
   * subcommands; a model transformer runs at construction, with the command line already attached
   * to the model. The handler is set after the subcommands are added: it reaches those present.
   * The subcommands inherit this transformer ({@code scope = INHERIT}); it leaves them as they are.
   */
  static final class Setup implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      if (!(spec.userObject() instanceof Tracereplay command)) {
        return spec;
      }
      CommandLine commandLine = spec.commandLine();
      for (String name : COMMANDS) {
        if (command.only == null || command.only.equals(name)) {
          commandLine.addSubcommand(name, subcommand(name));
        }
      }
      commandLine.setExecutionExceptionHandler(new FailureHandler());
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
