package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FailureHandlerTest {
  private final Transcript err = new Transcript();
  private final CommandLine verify = new CommandLine(new Tracereplay()).getSubcommands().get("save");

  FailureHandlerTest() {
    verify.setErr(new PrintWriter(err, true));
  }

  @Test
  void anExpectedFailurePrintsOnlyItsMessageOnOneLine() throws Exception {
    int exitCode = new FailureHandler().handleExecutionException(
        new IOException("the sink at /x closed the connection\n  at message 3"), verify, null);

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.text()).isEqualTo("tracereplay save: the sink at /x closed the connection at message 3\n");
  }

  @Test
  void aBugKeepsItsStackTraceAndExitsWith70() throws Exception {
    int exitCode = new FailureHandler().handleExecutionException(new IllegalStateException("boom"), verify, null);

    assertThat(exitCode).isEqualTo(70);
    assertThat(err.text()).startsWith("tracereplay save: internal error (a bug in tracereplay; please report it with"
        + " this stack trace):\njava.lang.IllegalStateException: boom\n\tat ");
  }

  @Test
  void fileErrorsThatCarryOnlyAPathGetTheirReason() {
    assertThat(FailureHandler.describe(new NoSuchFileException("/a"))).isEqualTo("/a: no such file or directory");
    assertThat(FailureHandler.describe(new AccessDeniedException("/a"))).isEqualTo("/a: permission denied");
    assertThat(FailureHandler.describe(new FileAlreadyExistsException("/a"))).isEqualTo("/a: already exists");
    assertThat(FailureHandler.describe(new FileAlreadyExistsException("/a", null, "in use"))).isEqualTo("/a: in use");
    assertThat(FailureHandler.describe(new IOException())).isEqualTo("java.io.IOException");
  }
}
