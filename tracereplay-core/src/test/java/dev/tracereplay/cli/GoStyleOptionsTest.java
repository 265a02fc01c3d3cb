package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Deadline;
import dev.tracereplay.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * gVisor's tool is a Go program: its flags are given as {@code -endpoint=X}, {@code -endpoint X},
 * {@code --endpoint=X} or {@code --endpoint X}, and scripts written for it work here unchanged.
 */
@Timeout(60)
class GoStyleOptionsTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  /** Each form, with {@code %s} for the option's name and {@code %v} for its value. */
  @ParameterizedTest
  @ValueSource(strings = {"-%s=%v", "-%s %v", "--%s=%v", "--%s %v"})
  void saveAndReplayTakeEveryFormOfGosFlags(String form) {
    SaveCommand save = parse(SaveCommand.class, "save", form, "endpoint", "/tmp/e.sock", "out", "/tmp/o",
        "prefix", "-run-", "max-clients", "3");

    assertThat(save.endpoint).isEqualTo(Path.of("/tmp/e.sock"));
    assertThat(save.out).isEqualTo(Path.of("/tmp/o"));
    assertThat(save.prefix).as("a value that starts with a dash stays a value").isEqualTo("-run-");
    assertThat(save.maxClients).isEqualTo(3);

    ReplayCommand replay = parse(ReplayCommand.class, "replay", form, "endpoint", "/tmp/e.sock", "in", "/tmp/t",
        "send-timeout", "5s");

    assertThat(replay.endpoint).isEqualTo(Path.of("/tmp/e.sock"));
    assertThat(replay.input.file).isEqualTo(Path.of("/tmp/t"));
    assertThat(replay.sendTimeout).isEqualTo(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"print", "stats", "verify"})
  void theOtherCommandsTakeThemToo(String command) {
    Cli.Result run = Cli.run(command, "-in", dir.resolve("missing").toString());

    assertThat(run.err()).as("read as --in, not as an unknown option").contains("missing: no such file or directory")
        .doesNotContain("Unknown option");
  }

  /**
   * Go's flag package keeps an option's last value: a script for gVisor's tool passes its defaults
   * first and lets its caller's arguments override them ({@code save -out=./replay "$@"}).
   */
  @Test
  void anOptionGivenTwiceTakesItsLastValueAsInGo() {
    ParseResult result = new CommandLine(new Tracereplay()).parseArgs("save", "-endpoint=/tmp/default.sock",
        "-out", "/tmp/default", "--endpoint", "/tmp/e.sock", "-out=/tmp/o");
    SaveCommand save = (SaveCommand) result.subcommand().commandSpec().userObject();

    assertThat(save.endpoint).isEqualTo(Path.of("/tmp/e.sock"));
    assertThat(save.out).isEqualTo(Path.of("/tmp/o"));

    Cli.Result replay = Cli.run("replay", "-endpoint=" + dir.resolve("first.sock"), "-in=" + dir.resolve("first"),
        "-endpoint=" + dir.resolve("none.sock"), "-in", dir.resolve("missing").toString());

    assertThat(replay.exitCode()).isEqualTo(1);
    assertThat(replay.err()).contains("missing: no such file or directory").doesNotContain("first")
        .doesNotContain("specified only once");
  }

  @Test
  void helpAndVersionTakeOneDashToo() {
    assertThat(Cli.run("save", "-help").out()).contains("Usage: tracereplay save");
    assertThat(Cli.run("-version").out()).startsWith("tracereplay ");
  }

  @Test
  void singleLetterOptionsAndWordsAfterTheEndOfOptionsAreLeftAsTheyAre() {
    Cli.Result clustered = Cli.run("replay", "-hV");

    assertThat(clustered.exitCode()).isZero();
    assertThat(clustered.out()).contains("Usage: tracereplay replay");

    Cli.Result afterEnd = Cli.run("replay", "--endpoint=x", "--in=y", "--", "-in=z");

    assertThat(afterEnd.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(afterEnd.err()).contains("'-in=z'");
  }

  /** gVisor's walkthrough, in its own words: save and replay as a script for gVisor's tool runs them. */
  @Test
  void aGvisorStyleSaveAndReplay() throws Exception {
    Path trace = Fixtures.copy("true-start.trace", dir);
    Path endpoint = dir.resolve("gvisor_events.sock");
    Path out = dir.resolve("trace");
    try (Cli.Background save = Cli.start("save", "-endpoint", endpoint.toString(), "-out", out.toString())) {
      Deadline.await(TIMEOUT, () -> Files.exists(endpoint));

      Cli.Result replay = Cli.run("replay", "-endpoint=" + endpoint, "-in=" + trace);

      assertThat(replay.err()).isEmpty();
      assertThat(replay.exitCode()).isZero();
      assertThat(replay.out()).isEqualTo("Handshake completed\n\rReplaying message: 1\nDone\n");
      save.out.awaitContains("Closing client, wrote 1 messages", TIMEOUT);
      assertThat(save.stop(TIMEOUT)).isZero();
    }
    assertThat(out.resolve("client-0001")).hasSameBinaryContentAs(trace);
  }

  /** Parses {@code command} with each option given in {@code form}; returns the subcommand's object. */
  private static <T> T parse(Class<T> type, String command, String form, String... namesAndValues) {
    List<String> args = new ArrayList<>(List.of(command));
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String word = form.replace("%s", namesAndValues[i]).replace("%v", namesAndValues[i + 1]);
      args.addAll(List.of(word.split(" ")));
    }
    ParseResult result = new CommandLine(new Tracereplay()).parseArgs(args.toArray(String[]::new));
    return type.cast(result.subcommand().commandSpec().userObject());
  }
}
