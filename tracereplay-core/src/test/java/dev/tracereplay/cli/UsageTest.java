package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.channel.UnixSeqPacketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Help, the version, and usage errors: exit code 2, the error on one line and a pointer to the help, on stderr. */
class UsageTest {

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    Cli.Result help = Cli.run("--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage: tracereplay [-hV] COMMAND", "save ", "replay ", "verify ", "repair ",
        "Exit codes:", "70   Internal error");
    assertThat(help.err()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"save, Stopped by SIGINT or SIGTERM", "replay, the first message, then at most every 100 ms",
      "verify, The file is truncated", "repair, cannot be repaired"})
  void eachCommandHasItsHelpWithItsExitCodes(String command, String excerpt) {
    Cli.Result help = Cli.run("help", command);

    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage: tracereplay " + command, "Exit codes:")
        .contains(excerpt.replace("  ", " "));
  }

  @ParameterizedTest
  @CsvSource({"save, --help", "replay, -h", "verify, --help", "repair, -h"})
  void eachCommandTakesHelpOptions(String command, String option) {
    Cli.Result help = Cli.run(command, option);

    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage: tracereplay " + command + " [-hV]");
    assertThat(help.err()).isEmpty();
  }

  /**
   * Each subcommand's help, in a JVM of its own: picocli writes its warnings (a description it
   * cannot format, e.g. a single %) to the process's System.err, not to the command line's err.
   */
  @Test
  void everyCommandsHelpFormatsWithoutPicocliWarnings() throws Exception {
    List<String> commands = new ArrayList<>(Tracereplay.SUBCOMMANDS.keySet());
    assertThat(commands).contains("filter", "record", "help");
    List<String> seen = new ArrayList<>();
    for (String command : commands) {
      try (CliProcess help = CliProcess.start(command, "--help")) {
        assertThat(help.awaitExit(Duration.ofSeconds(60))).as(command + " --help").isZero();
        String output = help.out.text() + help.err.text();
        assertThat(output).as(command + " --help").contains("Usage: tracereplay " + command)
            .doesNotContain("picocli WARN").doesNotContain("[picocli");
        seen.add(command);
      }
    }
    assertThat(seen).isEqualTo(commands);
  }

  @Test
  void filtersFaultHelpSaysOnlyDropsApply() {
    Cli.Result help = Cli.run("filter", "--help");

    String text = help.out().replaceAll("\\s+", " ");
    assertThat(text).contains("--fault=SPEC A drop fault; repeat the option to combine them: drop@N, drop@N-M or"
        + " drop~P% (drawn from --seed). Only drops apply to filter").doesNotContain("corrupt@N");
    assertThat(Cli.run("replay", "--help").out().replaceAll("\\s+", " ")).contains("corrupt@N");
  }

  @Test
  void withoutACommandTheErrorListsEverySubcommand() {
    Cli.Result result = Cli.run();

    List<String> commands = new ArrayList<>(Tracereplay.SUBCOMMANDS.keySet());
    String last = commands.remove(commands.size() - 1);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().lines()).containsExactly(
        "tracereplay: Missing a command: " + String.join(", ", commands) + " or " + last,
        "Run 'tracereplay --help' for its usage.");
    assertThat(result.err()).contains("record", "points", "filter", "help");
  }

  /** gVisor's tool has {@code flags} (Go's subcommands package): a script's {@code flags save} works here too. */
  @Test
  void flagsListsACommandsOptionsAsGoDoes() {
    Cli.Result flags = Cli.run("flags", "save");

    assertThat(flags.exitCode()).isZero();
    assertThat(flags.err()).isEmpty();
    String out = flags.out();
    assertThat(out).startsWith("  -endpoint string\n    \tThe socket to listen on")
        .contains("\n  -out string\n    \tThe directory recordings go to",
            "\n  -prefix string\n    \tThe file name prefix (default: client-).\n",
            "\n  -help\n    \tShow this help message and exit.\n");
    assertThat(out.indexOf("-endpoint")).isLessThan(out.indexOf("-out")).isLessThan(out.indexOf("-prefix"));
  }

  @Test
  void flagsWithoutACommandListsTheTopLevelOptions() {
    Cli.Result flags = Cli.run("flags");

    assertThat(flags.exitCode()).isZero();
    assertThat(flags.out()).isEqualTo("  -help\n    \tShow this help message and exit.\n"
        + "  -version\n    \tPrint version information and exit.\n");
  }

  /** Go's rules: sorted, a type name but none for a switch, a one-letter switch on one line, a default unless zero. */
  @Test
  void flagsFollowsGosPrintDefaults() {
    CommandSpec command = CommandSpec.forAnnotatedObject(new GoFlags());

    assertThat(FlagsCommand.defaults(command)).isEqualTo("""
          -count int
            \tHow many (default 3)
          -name string
            \tA name (default "a \\"b\\"")
          -q\tQuiet
          -timeout duration
            \tHow long
          -zero int
            \tZero is not shown
        """);
  }

  @Command(name = "go-flags")
  static final class GoFlags {
    @Option(names = "--name", defaultValue = "a \"b\"", description = "A name") String name;
    @Option(names = "-q", description = "Quiet") boolean quiet;
    @Option(names = "--count", defaultValue = "3", description = "How many") int count;
    @Option(names = "--zero", defaultValue = "0", description = "Zero is not shown") int zero;
    @Option(names = "--timeout", description = "How long") Duration timeout;
    @Option(names = "--secret", hidden = true, description = "Not listed") String secret;
  }

  /** Through main, which builds every subcommand for flags as it does for help. */
  @Test
  void flagsFindsTheCommandItNamesInAProcess() throws Exception {
    try (CliProcess flags = CliProcess.start("flags", "replay")) {
      assertThat(flags.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(flags.out.text()).contains("  -in string\n", "  -endpoint string\n");
    }
  }

  @Test
  void versionSaysTheJavaRuntimeAndWhichSocketCallsAreMade() {
    Cli.Result version = Cli.run("--version");

    assertThat(version.exitCode()).isZero();
    assertThat(version.err()).isEmpty();
    String[] lines = version.out().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).startsWith("tracereplay ");
    assertThat(lines[1]).startsWith("Java " + System.getProperty("java.runtime.version") + " (")
        .endsWith(", " + System.getProperty("java.home") + ")");
    if (UnixSeqPacketChannel.usesForeignCalls()) {
      assertThat(lines[2]).startsWith("Sockets: FFM fast path (send/recv through java.lang.foreign; junixsocket 2.");
    } else {
      assertThat(lines[2]).startsWith("Sockets: junixsocket 2.").contains("(JNI; the FFM fast path");
    }
    if (Runtime.version().feature() < 22) {
      assertThat(lines[2]).endsWith("the FFM fast path needs Java 22 or later)");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"save", "replay", "print", "stats", "verify", "repair", "demo"})
  void eachCommandsHelpListsEveryExitCode(String command) {
    Cli.Result help = Cli.run(command, "--help");

    assertThat(help.out()).contains("Exit codes:").containsPattern("\\n   0   ").containsPattern("\\n   1   ")
        .containsPattern("\\n   2   ").containsPattern("\\n  70   Internal error");
  }

  /**
   * Every usage error is two lines on stderr, as a person at a terminal wants and a script can
   * log: what is wrong, on one line, and where the help is; never the whole help.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      bogus                                               | Unmatched argument at index 0: 'bogus'
      replya                                              | Unmatched argument at index 0: 'replya' (did you mean replay or repair or record?)
      help bogus                                          | Unknown subcommand 'bogus'.
      flags bogus                                         | Unknown subcommand 'bogus'; the subcommands are save, replay,
      flags save replay                                   | Unmatched argument at index 2: 'replay'
      save                                                | Missing required option: '--endpoint=PATH'
      save --endpoint=/tmp/x.sock --bogus                 | Unknown option: '--bogus'
      save --endpoint=/tmp/x.sock --socket-mode=9         | socket mode must be octal like 0600, was '9'
      save --endpoint=/tmp/x.sock --max-clients=0         | --max-clients must be at least 1, was 0
      save --endpoint=/tmp/x.sock --prefix=a/b            | --prefix must be a plain file name part
      save --endpoint=/tmp/x.sock --max-message-size=lots | 'lots' is not a size
      save -endpoint                                      | Missing required parameter for option '--endpoint' (PATH)
      replay --in=x.trace                                 | Missing required option: '--endpoint=PATH'
      replay --endpoint=x --in=y --send-timeout=soon      | 'soon' is not a duration
      replay --endpoint=x --in=y extra                    | Unmatched argument at index 3: 'extra'
      print --in=x --limit=many                           | --limit
      stats                                               | Missing required option: '--in=FILE'
      verify                                              | Missing required option: '--in=FILE'
      verify --in=x --max-record-size=0                   | '0' is out of range: from 1 byte to 1G
      repair --in=x                                       | Missing required option: '--out=FILE'
      demo --recording=none                               | --recording
      """)
  void usageErrorsExitWith2OnOneLineAndPointToTheHelp(String args, String error) {
    String[] words = args.isEmpty() ? new String[0] : args.split(" ");
    // help reports an unknown command as the parent's error, as picocli's HelpCommand does
    String command = words.length > 0 && Tracereplay.SUBCOMMANDS.containsKey(words[0]) && !words[0].equals("help")
        ? "tracereplay " + words[0] : "tracereplay";

    Cli.Result result = Cli.run(words);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).startsWith(command + ": ").contains(error).doesNotContain("Usage:");
    assertThat(result.err().lines()).hasSize(2).last().isEqualTo("Run '" + command + " --help' for its usage.");
  }
}
