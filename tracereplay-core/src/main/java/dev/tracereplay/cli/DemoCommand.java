package dev.tracereplay.cli;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.points.PrintingSink;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.server.SinkServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tracereplay demo}: the whole loop without a sandbox. A real runsc recording bundled in the
 * jar is replayed over a real socket into a sink that prints like gVisor's example server.
 */
@Command(name = "demo",
    header = "Replays a real runsc recording, bundled in tracereplay, into a sink that prints it: no setup.",
    description = {
        "Starts a sink on a temporary socket that prints each message as gVisor's examples/seccheck/server.cc"
            + " does (the same output as the example sink in tracereplay-examples), replays the bundled"
            + " recording into it with the same code as 'tracereplay replay', and removes the socket."})
final class DemoCommand implements Callable<Integer> {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  /** The bundled recordings: two of the repository's fixtures (fixtures/MANIFEST.md), bundled by the build. */
  enum Recording {
    /** {@code /bin/sh -c 'cat /etc/hostname; ls / > /dev/null; echo hi > /tmp/x; cat /tmp/x'}, common points: 444 messages. */
    shell("shell-common.trace"),
    /** {@code /bin/true}, the container start point only: gVisor's README example, 1 message. */
    start("true-start.trace");

    final String resource;

    Recording(String resource) {
      this.resource = resource;
    }
  }

  @Spec CommandSpec spec;

  @Option(names = "--recording", paramLabel = "NAME", defaultValue = "shell",
      description = "Which bundled recording: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Recording recording = Recording.shell;

  @Option(names = "-q", description = "Quiet: the sink prints no message lines, as server.cc -q.")
  boolean quiet;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Path directory = Files.createTempDirectory(Path.of("/tmp"), "tracereplay-demo-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      Path trace = directory.resolve(recording.resource);
      try (InputStream in = DemoCommand.class.getResourceAsStream("demo/" + recording.resource)) {
        if (in == null) {
          throw new IOException("the bundled recording " + recording.resource + " is missing from the jar; rebuild it");
        }
        Files.copy(in, trace);
      }
      Path endpoint = directory.resolve("sink.sock");
      Output.print(out, "Socket address " + endpoint + "\n");
      ReplayResult result;
      try (SinkServer sink = SinkServer.builder(TraceMessageHandler.perClient(PrintingSink.to(out, quiet)))
          .endpoint(endpoint).name("demo-sink").start()) {
        result = TraceReplayer.replay(trace, endpoint);
        if (!sink.awaitNoClients(DEADLINE)) {
          throw new IOException("the demo sink did not finish within " + DEADLINE.toSeconds() + " s");
        }
      }
      Output.print(out, "\nReplayed " + result.messagesSent() + " messages (" + result.bytesSent()
          + " bytes) of a real runsc recording (" + recording.resource + ") into the sink above.\n"
          + "Next: 'tracereplay print --in=FILE' lists a recording, 'tracereplay save --endpoint=PATH'"
          + " records runsc, 'tracereplay replay --endpoint=PATH --in=FILE' replays into your sink.\n");
      return ExitCodes.OK;
    } finally {
      try (Stream<Path> files = Files.walk(directory)) {
        for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(file);
        }
      }
    }
  }
}
