package dev.tracereplay.cli;

import dev.tracereplay.channel.UnixSeqPacketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.newsclub.net.unix.AFSocket;
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
 * files. Each subcommand is a class of its own; adding one is a line in {@link #SUBCOMMANDS}.
 * Subcommands inherit {@code --help} and {@code --version} ({@code scope = INHERIT}), Go's option
 * forms ({@link GoStyleOptions}), the failure handling ({@link FailureHandler}) and the exit code
 * list ({@link ExitCodes}).
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
    modelTransformer = Tracereplay.Setup.class)
public final class Tracereplay implements Callable<Integer> {

  /**
   * The subcommands, in the order the usage lists them: each name (its class's {@code @Command}
   * name) and its class, made with its no-argument constructor. Classes, not lambdas: the first
   * lambda of a process costs a short command a tenth of its start-up (the JDK's invokedynamic
   * machinery), and nothing else on the way to a replay needs it. For the same reason Setup and
   * ExitCodes use loops.
   */
  static final Map<String, Class<?>> SUBCOMMANDS;

  static {
    Map<String, Class<?>> subcommands = new LinkedHashMap<>();
    subcommands.put("save", SaveCommand.class);
    subcommands.put("replay", ReplayCommand.class);
    subcommands.put("filter", FilterCommand.class);
    subcommands.put("record", RecordCommand.class);
    subcommands.put("points", PointsCommand.class);
    subcommands.put("print", PrintCommand.class);
    subcommands.put("stats", StatsCommand.class);
    subcommands.put("verify", VerifyCommand.class);
    subcommands.put("repair", RepairCommand.class);
    subcommands.put("demo", DemoCommand.class);
    subcommands.put("flags", FlagsCommand.class);
    subcommands.put("help", HelpCommand.class);
    SUBCOMMANDS = Collections.unmodifiableMap(subcommands);
  }

  /** The subcommands that describe other subcommands ({@code help save}, {@code flags save}), so need them all. */
  static final Set<String> DESCRIBING_OTHERS = Set.of("flags", "help");

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
   * command need them all, as do the {@link #DESCRIBING_OTHERS}). picocli builds the model of each
   * subcommand it is given, by reflection, up front: the others cost a short command such as a
   * replay about a tenth of its start-up. A subcommand's parsing, help, errors and exit codes are
   * the same either way.
   */
  static Tracereplay forArguments(String... args) {
    boolean namesOne = args.length > 0 && !DESCRIBING_OTHERS.contains(args[0]) && SUBCOMMANDS.containsKey(args[0]);
    return new Tracereplay(namesOne ? args[0] : null);
  }

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    configureLogging();
    System.exit(new CommandLine(forArguments(args)).execute(args));
  }

  /** Without a subcommand: a usage error that lists every subcommand ({@link #SUBCOMMANDS}, help included). */
  @Override
  public Integer call() {
    List<String> commands = new ArrayList<>(SUBCOMMANDS.keySet());
    String last = commands.remove(commands.size() - 1);
    throw new ParameterException(spec.commandLine(), "Missing a command: " + String.join(", ", commands) + " or " + last);
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
   * Adds the subcommands and installs, on each command, the failure handling, Go's option forms
   * and the exit code list, when the command line is built. picocli has no annotation for these,
   * nor for building only some subcommands; a model transformer runs at construction, with the
   * command line already attached to the model. The subcommands inherit this transformer
   * ({@code scope = INHERIT}); it leaves them as they are.
   */
  static final class Setup implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      if (!(spec.userObject() instanceof Tracereplay command)) {
        return spec;
      }
      CommandLine commandLine = spec.commandLine();
      for (Map.Entry<String, Class<?>> subcommand : SUBCOMMANDS.entrySet()) {
        if (command.only == null || command.only.equals(subcommand.getKey())) {
          commandLine.addSubcommand(subcommand.getKey(), instance(subcommand.getValue()));
        }
      }
      FailureHandler failures = new FailureHandler();
      GoStyleOptions goStyle = new GoStyleOptions();
      Version version = new Version();
      install(commandLine.getCommandSpec(), goStyle, version);
      for (CommandLine subcommand : commandLine.getSubcommands().values()) {
        install(subcommand.getCommandSpec(), goStyle, version);
      }
      // Set after the subcommands are added: these reach the subcommands present. An option given
      // twice takes its last value, as Go's flag package does: scripts written for gVisor's tool
      // put defaults first and let "$@" override them.
      commandLine.setExecutionExceptionHandler(failures);
      commandLine.setParameterExceptionHandler(failures);
      commandLine.setOverwrittenOptionsAllowed(true);
      return spec;
    }

    private static Object instance(Class<?> type) {
      try {
        return type.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot make the subcommand " + type.getName(), e);
      }
    }

    /**
     * The version provider is set here, after the subcommands are added, not in the annotation:
     * adding a subcommand copies the parent's version strings (scope INHERIT), which would ask
     * the JVM's socket path, and so start junixsocket and logging, on every start.
     */
    private static void install(CommandSpec spec, GoStyleOptions goStyle, Version version) {
      spec.versionProvider(version);
      spec.preprocessor(goStyle);
      spec.usageMessage().exitCodeListHeading(ExitCodes.HEADING)
          .exitCodeList(ExitCodes.withCommonLines(spec.usageMessage().exitCodeList()));
    }
  }

  /**
   * {@code --version}: the version Maven recorded in the jar (source builds have none), the Java
   * runtime, and which socket calls this JVM makes (the FFM fast path on JDK 22 and later, else
   * junixsocket's JNI calls), as asked of a bug report.
   */
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
      return new String[] {
          "tracereplay " + pom.getProperty("version", "(development build)"),
          "Java " + System.getProperty("java.runtime.version", Runtime.version().toString()) + " ("
              + System.getProperty("java.vm.vendor", "unknown vendor") + ", " + System.getProperty("java.home") + ")",
          "Sockets: " + socketCalls(),
      };
    }

    private static String socketCalls() {
      String junixsocket = "junixsocket " + AFSocket.getVersion();
      if (UnixSeqPacketChannel.usesForeignCalls()) {
        return "FFM fast path (send/recv through java.lang.foreign; " + junixsocket + " for the rest)";
      }
      String why = Runtime.version().feature() < 22 ? "the FFM fast path needs Java 22 or later"
          : "false".equals(System.getProperty("tracereplay.foreign")) ? "the FFM fast path is off: -Dtracereplay.foreign=false"
          : "the FFM fast path is not available: is native access denied (--enable-native-access)?";
      return junixsocket + " (JNI; " + why + ")";
    }
  }
}
