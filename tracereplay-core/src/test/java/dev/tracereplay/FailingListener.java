package dev.tracereplay;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.SeqPacketListener;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real listener whose accept fails when a test says so: the only way to make a server's accept
 * throw an {@link Error} on demand. The failures are thrown, the rest handed to the real listener.
 */
public final class FailingListener implements SeqPacketListener {
  /** The failure of the n-th accept (from 1), or null to accept for real. */
  @FunctionalInterface
  public interface Failures {
    Throwable on(int call);
  }

  private final SeqPacketListener real;
  private final Failures failures;
  private final AtomicInteger calls = new AtomicInteger();

  public FailingListener(SeqPacketListener real, Failures failures) {
    this.real = real;
    this.failures = failures;
  }

  @Override
  public SeqPacketChannel accept() throws IOException {
    Throwable failure = failures.on(calls.incrementAndGet());
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    return real.accept();
  }

  @Override
  public String address() {
    return real.address();
  }

  @Override
  public void close() throws IOException {
    real.close();
  }
}
