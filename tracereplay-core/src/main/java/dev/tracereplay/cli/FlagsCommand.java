package dev.tracereplay.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tracereplay flags [COMMAND]}: the {@code flags} subcommand gVisor's tool has (Go's
 * subcommands package registers it), so that scripts and habits carry over. It lists a command's
 * options as Go's {@code flag.PrintDefaults} does: sorted by name, each as {@code -name type} and
 * its description on an indented line, with its default unless that is the type's zero value.
 * Without a command it lists the top-level options.
 */
@Command(name = "flags",
    header = "Lists a command's options in the form of gVisor's tool (Go's flag package).",
    description = {
        "Without COMMAND, the options taken before a command. Each option is one line with its name and the"
            + " type of its value (none for a switch), then its description, indented, with its default."})
final class FlagsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "COMMAND", description = "The command whose options to list.")
  String command;

  @Override
  public Integer call() {
    CommandLine top = spec.commandLine().getParent();
    CommandSpec listed = top.getCommandSpec();
    if (command != null) {
      CommandLine named = top.getSubcommands().get(command);
      if (named == null) {
        throw new ParameterException(spec.commandLine(), "Unknown subcommand '" + command + "'; the subcommands are "
            + String.join(", ", top.getSubcommands().keySet()));
      }
      listed = named.getCommandSpec();
    }
    Output.print(spec.commandLine().getOut(), defaults(listed));
    return ExitCodes.OK;
  }

  /** The command's options as Go's {@code PrintDefaults} prints a flag set. */
  static String defaults(CommandSpec command) {
    List<OptionSpec> options = new ArrayList<>();
    for (OptionSpec option : command.options()) {
      if (!option.hidden()) {
        options.add(option);
      }
    }
    options.sort(Comparator.comparing(FlagsCommand::name));
    StringBuilder text = new StringBuilder();
    for (OptionSpec option : options) {
      StringBuilder line = new StringBuilder("  -").append(name(option));
      String type = goType(option);
      if (!type.isEmpty()) {
        line.append(' ').append(type);
      }
      // Go's rule: a one-letter switch keeps its description on its line, after a tab.
      line.append(line.length() <= 4 ? "\t" : "\n    \t");
      String description = String.join(" ", option.description());
      line.append(description.replace("\n", "\n    \t"));
      // Most descriptions here say their default in words already; Go's form is added to the others.
      String defaultValue = option.defaultValue();
      if (defaultValue != null && !description.contains("(default") && !isZero(type, defaultValue)) {
        String shown = type.equals("string") ? GoQuote.quote(defaultValue) : defaultValue;
        line.append(" (default ").append(shown).append(')');
      }
      text.append(line).append('\n');
    }
    return text.toString();
  }

  /** The option's longest name without its dashes, as a Go flag is named. */
  private static String name(OptionSpec option) {
    return option.longestName().replaceFirst("^-+", "");
  }

  /** The name Go's flag package gives the value's type; empty for a switch. */
  private static String goType(OptionSpec option) {
    Class<?> type = option.type();
    if (option.arity().max() == 0 || type == boolean.class || type == Boolean.class) {
      return "";
    }
    if (option.isMultiValue()) {
      return "value";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "int";
    }
    if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
      return "float";
    }
    return type == Duration.class ? "duration" : "string";
  }

  private static boolean isZero(String type, String value) {
    return switch (type) {
      case "" -> value.equals("false");
      case "int", "float" -> value.matches("0+(\\.0*)?");
      case "duration" -> value.equals("PT0S") || value.equals("0s") || value.equals("0");
      default -> value.isEmpty();
    };
  }
}
