package dev.tracereplay.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exit codes every subcommand shares, and their lines for the help's "Exit codes" list
 * (picocli's {@code key:description} form; annotation values must be constants, hence the strings).
 * Every command's help lists these; a subcommand's own {@code exitCodeList} holds only the lines
 * it words differently, and {@link #withCommonLines} adds the rest.
 */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int USAGE = 2;
  /** sysexits.h's EX_SOFTWARE: the program itself failed. */
  static final int BUG = 70;

  static final String HEADING = "%nExit codes:%n";
  static final String OK_LINE = " 0:Success.";
  static final String FAILURE_LINE = " 1:Failure; one line on stderr says what, where and what to do.";
  static final String USAGE_LINE =
      " 2:Usage error: an unknown, missing or invalid option; one line on stderr says which.";
  static final String BUG_LINE =
      "70:Internal error: a bug in tracereplay. The stack trace is printed; please report it.";
  private static final String[] COMMON_LINES = {OK_LINE, FAILURE_LINE, USAGE_LINE, BUG_LINE};

  private ExitCodes() {}

  /**
   * A command's exit code list: its own lines, and the common line for each code it does not
   * word itself, in the order of the codes. A list with a key that is no number (record's
   * {@code N}, the sandbox's code) words every code itself and stays as it is.
   */
  static Map<String, String> withCommonLines(Map<String, String> own) {
    for (String key : own.keySet()) {
      if (!key.strip().matches("\\d+")) {
        return own;
      }
    }
    Map<Integer, String[]> byCode = new TreeMap<>();
    for (String line : COMMON_LINES) {
      int colon = line.indexOf(':');
      byCode.put(Integer.parseInt(line.substring(0, colon).strip()),
          new String[] {line.substring(0, colon), line.substring(colon + 1)});
    }
    for (Map.Entry<String, String> line : own.entrySet()) { // loops, not lambdas: see Tracereplay.SUBCOMMANDS
      byCode.put(Integer.parseInt(line.getKey().strip()), new String[] {line.getKey(), line.getValue()});
    }
    Map<String, String> list = new LinkedHashMap<>();
    for (String[] line : byCode.values()) {
      list.put(line[0], line[1]);
    }
    return list;
  }
}
