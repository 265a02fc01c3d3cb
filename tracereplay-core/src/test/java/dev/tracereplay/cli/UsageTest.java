package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Help, and usage errors: exit code 2, the error on one line, then the usage, on stderr. */
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

  @Test
  void versionIsPrinted() {
    Cli.Result version = Cli.run("--version");

    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("tracereplay ");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      ''                                                  | Missing a command: save, replay, print, stats, verify, repair or demo
      bogus                                               | Unmatched argument at index 0: 'bogus'
      save                                                | Missing required option: '--endpoint=PATH'
      save --endpoint=/tmp/x.sock --bogus                 | Unknown option: '--bogus'
      save --endpoint=/tmp/x.sock --socket-mode=9         | socket mode must be octal like 0600, was '9'
      save --endpoint=/tmp/x.sock --max-clients=0         | --max-clients must be at least 1, was 0
      save --endpoint=/tmp/x.sock --prefix=a/b            | --prefix must be a plain file name part
      save --endpoint=/tmp/x.sock --max-message-size=lots | 'lots' is not a size
      replay --in=x.trace                                 | Missing required option: '--endpoint=PATH'
      replay --endpoint=x --in=y --send-timeout=soon      | 'soon' is not a duration
      verify                                              | Missing required option: '--in=FILE'
      verify --in=x --max-record-size=0                   | '0' is out of range: from 1 byte to 1G
      repair --in=x                                       | Missing required option: '--out=FILE'
      """)
  void usageErrorsExitWith2AndShowTheUsage(String args, String error) {
    String[] words = args.isEmpty() ? new String[0] : args.split(" ");
    String usage = words.length > 0 && !words[0].equals("bogus") ? "tracereplay " + words[0] : "tracereplay";

    Cli.Result result = Cli.run(words);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).contains(error).contains("Usage: " + usage + " ");
  }
}
