package dev.tracereplay.points;

import dev.tracereplay.server.ClientInfo;
import dev.tracereplay.server.CloseReason;
import java.io.Flushable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints what every client of a {@link dev.tracereplay.server.SinkServer} sends, as gVisor's
 * example server ({@code examples/seccheck/server.cc}) does: the sink a user points runsc at to see
 * what a sandbox does.
 *
 * <pre>{@code
 * SinkServer server = SinkServer.builder(TraceMessageHandler.perClient(PrintingSink.to(System.out)))
 *     .endpoint(Path.of("/tmp/gvisor_events.sock")).start();
 * }</pre>
 *
 * <p>For each client it prints, one line each:
 * <ul>
 *   <li>{@code Connection accepted} when the client has sent its handshake;</li>
 *   <li>each message as {@link TracePrinter#textLine} (for example {@code E Open ...},
 *       {@code Start => ...}, {@code Invalid message type: 99}), preceded by
 *       {@code Dropped N points before this message (dropped_count: M)} when runsc's count of dropped
 *       points grew (see {@link TracePrinter});</li>
 *   <li>{@code Connection closed} when the client hangs up. When the connection ended any other way
 *       (see {@link CloseReason#isClean()}) the line says why:
 *       {@code Connection closed: message 3 is malformed: ...} or
 *       {@code Connection closed: the server was closed}.</li>
 * </ul>
 * A quiet sink leaves out the message lines, as {@code server.cc -q} does, and prints the
 * connection lines and the dropped-point notices only. Lines end with {@code \n}.
 *
 * <p>Thread-safe: one instance serves all clients of a server. Each line is written whole, under a
 * lock shared by all clients, so lines of different clients never interleave within a line (their
 * order among each other is the order they were printed in). The output is flushed after each line
 * when it is {@link Flushable}, like the C++ server's unbuffered stdout, so a line is visible as soon
 * as its message arrives. A message is decoded and formatted before the lock is taken, so a slow
 * client never holds up the others for longer than a write.
 *
 * <p>As in server.cc, formatting happens on the client's receiving thread, so a printing sink drains
 * the socket more slowly than a quiet one: under a burst runsc drops the points that do not fit
 * (the notices above show them, except those dropped at the very end of a session, which no later
 * message reports). To keep every point, record instead ({@link dev.tracereplay.TraceRecorder}) and
 * print the recording.
 *
 * <p>When writing fails (or a {@link PrintStream} or {@link PrintWriter} reports an error) the
 * message's client is closed, with the reason {@link CloseReason.Kind#HANDLER_FAILED}; other clients
 * carry on and try again.
 */
public final class PrintingSink implements TraceMessageHandler.Factory {
  private static final Logger log = LoggerFactory.getLogger(PrintingSink.class);

  /** A client's buffer is dropped after a message larger than this, so it does not hold on to memory. */
  private static final int KEPT_BUFFER_CHARS = 64 * 1024;

  private final Appendable out;
  private final boolean quiet;
  private final ReentrantLock lock = new ReentrantLock();

  private PrintingSink(Appendable out, boolean quiet) {
    this.out = Objects.requireNonNull(out, "out");
    this.quiet = quiet;
  }

  /** A sink printing connections and every message to {@code out}. */
  public static PrintingSink to(Appendable out) {
    return new PrintingSink(out, false);
  }

  /** A sink printing to {@code out}; when {@code quiet}, without the message lines. */
  public static PrintingSink to(Appendable out, boolean quiet) {
    return new PrintingSink(out, quiet);
  }

  /** Prints {@code Connection accepted} and returns the new client's handler. */
  @Override
  public TraceMessageHandler newClient(ClientInfo client) throws IOException {
    write("Connection accepted\n");
    return new PrintingClient(client);
  }

  /** Writes {@code text} (whole lines) at once and flushes. */
  private void write(CharSequence text) throws IOException {
    lock.lock();
    try {
      out.append(text);
      if (out instanceof Flushable flushable) {
        flushable.flush();
      }
      // Print streams and writers swallow errors; without this a closed stdout would eat the trace.
      if ((out instanceof PrintStream stream && stream.checkError())
          || (out instanceof PrintWriter writer && writer.checkError())) {
        throw new IOException("writing to the output failed (" + out.getClass().getSimpleName()
            + " reports an error; is stdout closed?)");
      }
    } finally {
      lock.unlock();
    }
  }

  private void printClose(ClientInfo client, CloseReason reason) {
    String line = reason.isClean() ? "Connection closed\n" : "Connection closed: " + reason.detail() + "\n";
    try {
      write(line);
    } catch (IOException e) {
      log.warn("{}: could not print '{}': {}", client, line.strip(), e.toString());
    }
  }

  /**
   * The handler of a client: formats its lines into a buffer of its own with a {@link TracePrinter}
   * (which keeps this client's dropped count), then writes them at once. In quiet mode, as with
   * server.cc -q, only the dropped-point notices are printed: they are rare, and whether the sink
   * keeps up is what a quiet run is for.
   */
  private final class PrintingClient implements TraceMessageHandler {
    private final ClientInfo client;
    private final StringBuilder lines = new StringBuilder(512);
    private final TracePrinter printer = TracePrinter.to(lines);

    PrintingClient(ClientInfo client) {
      this.client = client;
    }

    @Override
    public void onMessage(TraceMessage message) throws IOException {
      if (quiet) {
        printer.printDroppedOnly(message);
      } else {
        printer.print(message);
      }
      if (lines.isEmpty()) {
        return;
      }
      write(lines);
      lines.setLength(0);
      if (lines.capacity() > KEPT_BUFFER_CHARS) {
        lines.trimToSize();
      }
    }

    @Override
    public void onClose(CloseReason reason) {
      printClose(client, reason);
    }
  }
}
