package dev.tracereplay.examples;

import dev.tracereplay.points.PrintingSink;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.points.TracePoints;
import dev.tracereplay.points.TracePrinter;
import dev.tracereplay.server.SinkServer;
import dev.tracereplay.wire.MessageType;
import java.io.Flushable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * gVisor's example trace sink ({@code examples/seccheck/server.cc}) in Java: listens for runsc
 * sandboxes on a socket and prints what they do, one line per trace point. Point runsc's remote
 * sink at it to watch a sandbox live:
 *
 * <pre>
 * java dev.tracereplay.examples.ExampleSink [-q] [PATH]     (PATH default /tmp/gvisor_events.sock)
 * runsc --pod-init-config=pod_init.json do /bin/sh -c 'echo hi'
 * </pre>
 *
 * <p>It prints {@code Socket address PATH}, then for each sandbox {@code Connection accepted}, each
 * message in server.cc's format and {@code Connection closed} (see {@link PrintingSink}); {@code -q}
 * leaves out the message lines. Unlike server.cc it never deletes what is at PATH unless it is a
 * stale socket nobody listens on (see {@link dev.tracereplay.channel.UnixSeqPacketListener}), and
 * it removes its socket when it stops. As a program it runs until SIGINT or SIGTERM; tests run it
 * in-process with {@link #start} and {@link #close()}.
 *
 * <p>Exit status: 0 after {@code -h}, 1 for a bad command line or an endpoint it cannot listen on;
 * stopped by a signal, the JVM's (130 for SIGINT, 143 for SIGTERM).
 *
 * <p>Thread-safe; each client is served by a thread of its own (see {@link SinkServer}).
 */
public final class ExampleSink implements AutoCloseable {
  /** Where runsc's remote sink connects by default, as in server.cc. */
  public static final Path DEFAULT_ENDPOINT = Path.of("/tmp/gvisor_events.sock");

  static final String USAGE = "usage: ExampleSink [-q] [PATH]";
  static final String HELP = USAGE + "\n"
      + "Prints what runsc sandboxes send to the trace sink listening at PATH (default "
      + DEFAULT_ENDPOINT + "),\none line per trace point, until stopped by SIGINT or SIGTERM.\n"
      + "  -q  quiet: leave out the message lines (connections and dropped points are still printed)\n";

  private final SinkServer server;
  private final Path endpoint;

  private ExampleSink(SinkServer server, Path endpoint) {
    this.server = server;
    this.endpoint = endpoint;
  }

  /**
   * Prints {@code Socket address ENDPOINT} to {@code out}, then listens on {@code endpoint} and
   * prints each client's session to {@code out} until {@link #close()}.
   *
   * @param out where the lines go, flushed after each when {@link Flushable}; written by the
   *     clients' threads, one whole line at a time
   * @param quiet leave out the message lines (connections and dropped points are still printed)
   * @throws java.nio.file.FileAlreadyExistsException when something other than a stale socket is at
   *     {@code endpoint}, or a server listens there
   * @throws IOException when writing to {@code out} fails or the socket cannot be bound
   */
  public static ExampleSink start(Path endpoint, Appendable out, boolean quiet) throws IOException {
    Objects.requireNonNull(endpoint, "endpoint");
    warmUp();
    // Before binding, as server.cc: the address is known even when binding fails.
    out.append("Socket address ").append(endpoint.toString()).append('\n');
    if (out instanceof Flushable flushable) {
      flushable.flush();
    }
    SinkServer server = SinkServer.builder(TraceMessageHandler.perClient(PrintingSink.to(out, quiet)))
        .endpoint(endpoint)
        .name("example-sink")
        .start();
    return new ExampleSink(server, endpoint);
  }

  /**
   * Formats a message of every type once, before anyone can connect: the first use of the protobuf
   * classes takes a second or more, and during that second a sandbox's points would pile up in
   * the socket, where runsc drops them once it is full.
   */
  private static void warmUp() throws IOException {
    for (MessageType type : MessageType.values()) {
      TracePrinter.textLine(TraceMessage.wrap(TracePoints.encode(TracePoints.defaultInstance(type), 0), 0));
    }
  }

  /** Where sandboxes connect. */
  public Path endpoint() {
    return endpoint;
  }

  /**
   * Waits until no sandbox is connected: every session accepted so far has printed its
   * {@code Connection closed} line. A replay into the sink returns once its last message is sent;
   * the sink prints that session's end on its own thread, so a test waits with this before it reads
   * what was printed.
   *
   * @return true when no sandbox is connected, false when {@code timeout} passed first
   */
  public boolean awaitNoClients(Duration timeout) throws InterruptedException {
    return server.awaitNoClients(timeout);
  }

  /**
   * Stops listening, removes the socket and closes every connection once its queued messages are
   * printed (each prints {@code Connection closed: the server was closed}). Calling it again does
   * nothing.
   */
  @Override
  public void close() {
    server.close();
  }

  /** Runs the sink until SIGINT or SIGTERM: {@code [-q] [PATH]}. */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err, ExampleSink::awaitSignal);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** What keeps the program running once the sink is started: in {@link #main}, a signal. */
  @FunctionalInterface
  interface StopSignal {
    void await(ExampleSink sink) throws InterruptedException;
  }

  /** The program, for {@link #main} and tests: returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err, StopSignal stop) {
    boolean quiet = false;
    Path endpoint = null;
    boolean optionsEnded = false;
    for (String arg : args) {
      if (!optionsEnded && arg.equals("--")) {
        optionsEnded = true;
      } else if (!optionsEnded && arg.equals("-q")) {
        quiet = true;
      } else if (!optionsEnded && (arg.equals("-h") || arg.equals("--help"))) {
        out.print(HELP);
        out.flush();
        return 0;
      } else if (!optionsEnded && arg.startsWith("-") && arg.length() > 1) {
        return usageError(err, "unknown option '" + arg + "'");
      } else if (endpoint == null) {
        try {
          endpoint = Path.of(arg);
        } catch (InvalidPathException e) {
          return usageError(err, "PATH is not a valid path: " + e.getMessage());
        }
      } else {
        return usageError(err, "one PATH only, got '" + endpoint + "' and '" + arg + "'");
      }
    }
    try (ExampleSink sink = start(endpoint == null ? DEFAULT_ENDPOINT : endpoint, out, quiet)) {
      stop.await(sink);
      return 0;
    } catch (IOException e) {
      err.println("ExampleSink: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static int usageError(PrintStream err, String problem) {
    err.println("ExampleSink: " + problem);
    err.println(USAGE);
    return 1;
  }

  /**
   * Waits for the end of the JVM: on SIGINT or SIGTERM the JVM runs its shutdown hooks, and this
   * one closes the sink cleanly (connections closed, socket removed) before the JVM exits.
   */
  private static void awaitSignal(ExampleSink sink) throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(sink::close, "example-sink-shutdown"));
    Thread.currentThread().join();
  }
}
