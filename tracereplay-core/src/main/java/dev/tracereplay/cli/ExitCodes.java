package dev.tracereplay.cli;

/**
 * The exit codes every subcommand shares, and their lines for the help's "Exit codes" list
 * (picocli's {@code key:description} form; annotation values must be constants, hence the strings).
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
  static final String USAGE_LINE = " 2:Usage error: an unknown, missing or invalid option (the usage follows).";
  static final String BUG_LINE =
      "70:Internal error: a bug in tracereplay. The stack trace is printed; please report it.";

  private ExitCodes() {}
}
