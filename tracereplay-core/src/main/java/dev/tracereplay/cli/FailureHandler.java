package dev.tracereplay.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import java.util.List;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What a subcommand's exception becomes. An {@link IOException} is an expected failure (a bad
 * file, no sink listening, a socket in the way): the library writes those messages for users, so
 * only the message is printed, as one line on stderr, and the exit code is the command's
 * {@code exitCodeOnExecutionException} (1 unless the command says otherwise). Anything else is
 * a bug: the stack trace is kept and the exit code is {@link ExitCodes#BUG}.
 *
 * <p>A usage error (an unknown, missing or invalid option, on parsing or from a command's own
 * checks) is one line saying which, with picocli's suggestions if it has a few, and a pointer to
 * the command's {@code --help}, not the whole help; the exit code is {@link ExitCodes#USAGE}.
 */
final class FailureHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
  /** More suggestions than this are a list of every option, not a suggestion. */
  private static final int MAX_SUGGESTIONS = 3;

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    String message = oneLine(e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage());
    if (e instanceof UnmatchedArgumentException unmatched) {
      List<String> suggestions = unmatched.getSuggestions();
      if (!suggestions.isEmpty() && suggestions.size() <= MAX_SUGGESTIONS) {
        message += " (did you mean " + String.join(" or ", suggestions) + "?)";
      }
    }
    err.println(name + ": " + message);
    err.println("Run '" + name + " --help' for its usage.");
    err.flush();
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    if (e instanceof IOException failure) {
      err.println(name + ": " + oneLine(describe(failure)));
      err.flush();
      return command.getCommandSpec().exitCodeOnExecutionException();
    }
    err.println(name + ": internal error (a bug in tracereplay; please report it with this stack trace):");
    e.printStackTrace(err);
    err.flush();
    return ExitCodes.BUG;
  }

  /**
   * The message of an expected failure. The JDK's file exceptions often carry only a path; those
   * get the reason their class stands for.
   */
  static String describe(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() == null) {
      String reason = e instanceof NoSuchFileException ? "no such file or directory"
          : e instanceof AccessDeniedException ? "permission denied"
          : e instanceof FileAlreadyExistsException ? "already exists"
          : e instanceof NotDirectoryException ? "not a directory"
          : e instanceof DirectoryNotEmptyException ? "directory not empty"
          : e.getClass().getSimpleName();
      return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + reason;
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getName() : message;
  }

  static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
