package dev.tracereplay;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Named pipes for tests of inputs that can be read only once. */
public final class Fifos {
  private Fifos() {}

  /**
   * Makes a FIFO at {@code fifo} (with mkfifo(1)) that a thread writes {@code trace}'s bytes into,
   * once, when a reader opens it. A reader that closes early leaves the writer with a broken pipe,
   * which it ignores: the reader's test tells what it got.
   */
  public static Path fifoOf(Path trace, Path fifo) throws IOException, InterruptedException {
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    if (mkfifo.waitFor() != 0) {
      throw new IOException("mkfifo " + fifo + " failed with exit code " + mkfifo.exitValue());
    }
    byte[] bytes = Files.readAllBytes(trace);
    Thread writer = new Thread(() -> {
      try (OutputStream out = Files.newOutputStream(fifo)) {
        out.write(bytes);
      } catch (IOException e) {
        // a reader that went away
      }
    }, "fifo-writer");
    writer.setDaemon(true);
    writer.start();
    return fifo;
  }
}
