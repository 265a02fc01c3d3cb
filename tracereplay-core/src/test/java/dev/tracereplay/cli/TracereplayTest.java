package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fixtures;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line main builds ({@link Tracereplay#forArguments}, only the subcommand named)
 * against the whole one the other tests use: same subcommands, same output, same exit codes.
 */
@Timeout(60)
class TracereplayTest {
  @TempDir Path dir;

  static final List<String> NAMES = List.copyOf(Tracereplay.SUBCOMMANDS.keySet());

  @Test
  void theWholeCommandLineHasEverySubcommandUnderTheNameItsClassDeclares() {
    CommandLine whole = new CommandLine(new Tracereplay());

    assertThat(whole.getSubcommands().keySet()).containsExactlyElementsOf(NAMES);
    whole.getSubcommands().forEach((name, subcommand) -> {
      Command declared = subcommand.getCommand().getClass().getAnnotation(Command.class);
      assertThat(declared.name()).as("the @Command name of %s", subcommand.getCommand().getClass()).isEqualTo(name);
      assertThat(subcommand.getCommandSpec().qualifiedName()).isEqualTo("tracereplay " + name);
    });
  }

  @Test
  void argumentsStartingWithASubcommandBuildOnlyThatOne() {
    for (String name : NAMES) {
      List<String> built = subcommands(name, "--help");

      assertThat(built).as(name).isEqualTo(Tracereplay.DESCRIBING_OTHERS.contains(name) ? NAMES : List.of(name));
    }
  }

  @Test
  void otherArgumentsBuildEverySubcommand() {
    for (String[] args : new String[][] {{}, {"--help"}, {"-V"}, {"replya"}, {"help", "replay"}, {"flags", "save"},
        {"@args.txt"}, {"--version", "replay"}}) {
      assertThat(subcommands(args)).as(String.join(" ", args)).isEqualTo(NAMES);
    }
  }

  @Test
  void aSubcommandBuiltAloneBehavesAsInTheWholeCommandLine() {
    String trace = Fixtures.copy("true-start.trace", dir).toString();
    String missing = dir.resolve("missing.trace").toString();
    String nowhere = "--endpoint=" + dir.resolve("nobody-listens.sock");
    List<String[]> cases = new ArrayList<>();
    for (String name : NAMES) {
      cases.add(new String[] {name, "--help"});
      cases.add(new String[] {name, "-h"});
      cases.add(new String[] {name, "--version"});
      cases.add(new String[] {name, "-V"});
      cases.add(new String[] {name, "--bogus"});
      if (!name.equals("demo")) { // would run the demo, which prints a temporary socket's path
        cases.add(new String[] {name});
      }
    }
    cases.add(new String[] {"demo", "--recording=none"});
    cases.add(new String[] {"replay", nowhere, "--in=" + trace});
    cases.add(new String[] {"replay", nowhere, "--in=" + missing});
    cases.add(new String[] {"replay", nowhere, "--in=" + trace, "--send-timeout=soon"});
    cases.add(new String[] {"replay", nowhere, "--in=" + trace, "extra"});
    cases.add(new String[] {"replay", "--in=" + trace});
    cases.add(new String[] {"verify", "--in=" + trace});
    cases.add(new String[] {"verify", "--in=" + missing});
    cases.add(new String[] {"verify", "--in=" + trace, "--max-record-size=0"});
    cases.add(new String[] {"stats", "--in=" + trace});
    cases.add(new String[] {"print", "--in=" + trace, "--json"});
    cases.add(new String[] {"repair", "--in=" + trace});
    cases.add(new String[] {"save", "--endpoint=" + dir.resolve("no-such-dir").resolve("sink.sock")});
    cases.add(new String[] {"save", "--endpoint=x", "--socket-mode=9"});

    for (String[] args : cases) {
      assertThat(run(new Tracereplay(), args)).as(String.join(" ", args)).isEqualTo(run(Tracereplay.forArguments(args), args));
    }
  }

  private static List<String> subcommands(String... args) {
    return new ArrayList<>(new CommandLine(Tracereplay.forArguments(args)).getSubcommands().keySet());
  }

  private static Cli.Result run(Tracereplay command, String... args) {
    Transcript out = new Transcript();
    Transcript err = new Transcript();
    CommandLine commandLine = new CommandLine(command);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Cli.Result(exitCode, out.text(), err.text());
  }
}
