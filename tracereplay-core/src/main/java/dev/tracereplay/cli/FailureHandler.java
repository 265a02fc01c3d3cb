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
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * What a subcommand's exception becomes. An {@link IOException} is an expected failure (a bad
 * file, no sink listening, a socket in the way): the library writes those messages for users, so
 * only the message is printed, as one line on stderr, and the exit code is the command's
 * {@code exitCodeOnExecutionException} (1 unless the command says otherwise). Anything else is
 * a bug: the stack trace is kept and the exit code is {@link ExitCodes#BUG}.
 */
final class FailureHandler implements IExecutionExceptionHandler {

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
