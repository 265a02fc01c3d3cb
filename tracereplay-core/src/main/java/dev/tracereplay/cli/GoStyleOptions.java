package dev.tracereplay.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Go's option forms, as gVisor's tool (written in Go) takes them and scripts written for it use
 * them: {@code -endpoint=X} and {@code -endpoint X} beside {@code --endpoint=X} and
 * {@code --endpoint X}. Before a command parses its arguments, a single-dash word that names one
 * of its long options becomes that option's double-dash form. Left as they are: single-letter
 * options ({@code -h}, {@code -V}, {@code -q}), an option's value given as the next word (even one
 * that starts with a dash), the subcommand's words (its own preprocessor sees them), and
 * everything after {@code --}.
 */
final class GoStyleOptions implements IParameterPreprocessor {

  @Override
  public boolean preprocess(Stack<String> args, CommandSpec command, ArgSpec argSpec, Map<String, Object> info) {
    List<String> words = new ArrayList<>(args);
    Collections.reverse(words); // the stack's top, its last element, is the next word
    boolean changed = false;
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (word.equals("--") || command.subcommands().containsKey(word)) {
        break;
      }
      int equals = word.indexOf('=');
      String name = equals < 0 ? word : word.substring(0, equals);
      if (name.length() > 2 && name.charAt(0) == '-' && name.charAt(1) != '-'
          && command.optionsMap().containsKey("-" + name)) {
        name = "-" + name;
        words.set(i, "-" + word);
        changed = true;
      }
      OptionSpec option = command.optionsMap().get(name);
      if (option != null && equals < 0 && option.arity().min() > 0) {
        i++; // its value
      }
    }
    if (changed) {
      args.clear();
      for (int i = words.size() - 1; i >= 0; i--) {
        args.push(words.get(i));
      }
    }
    return false; // picocli parses the words as usual
  }
}
