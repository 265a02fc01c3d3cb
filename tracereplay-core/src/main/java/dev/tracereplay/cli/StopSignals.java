package dev.tracereplay.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Lets a long-running subcommand stop cleanly on SIGINT (Ctrl-C) or SIGTERM, as gVisor's
 * {@code save} does, instead of the JVM's default, which runs shutdown hooks and exits 130 or 143.
 *
 * <p>While at least one waiter is registered, this class's handler replaces the JVM's for both
 * signals; the first signal wakes every waiter and puts the previous handlers back, so that a
 * second signal ends the process at once. The last waiter to close also puts them back, so a
 * command run inside a test leaves the JVM as it found it. {@link sun.misc.Signal} is in the
 * {@code jdk.unsupported} module, which the JDK keeps for exactly this use.
 *
 * <p>Thread-safe; each waiter is used by one thread.
 */
final class StopSignals implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StopSignals.class);
  private static final List<String> NAMES = List.of("INT", "TERM");

  private static final Object lock = new Object();
  private static final Set<StopSignals> waiters = new LinkedHashSet<>();
  private static final List<Installed> installed = new ArrayList<>();

  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile String cause;

  private record Installed(Signal signal, SignalHandler previous) {}

  private StopSignals() {}

  /** Starts listening for the stop signals; close the returned waiter when done. */
  static StopSignals register() {
    StopSignals waiter = new StopSignals();
    synchronized (lock) {
      if (installed.isEmpty()) {
        install();
      }
      waiters.add(waiter);
    }
    return waiter;
  }

  /**
   * Waits for a stop signal, or for this thread to be interrupted.
   *
   * @return what stopped it: {@code SIGINT}, {@code SIGTERM} or {@code interrupt}
   */
  String await() {
    try {
      stopped.await();
      return cause;
    } catch (InterruptedException e) {
      // The interrupt is the stop request here (a command run on a thread of its own); it is
      // consumed so that the clean close that follows can wait for its clients.
      return "interrupt";
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (waiters.remove(this) && waiters.isEmpty()) {
        restore();
      }
    }
  }

  private void stop(String why) {
    cause = why;
    stopped.countDown();
  }

  private static void install() {
    for (String name : NAMES) {
      Signal signal = new Signal(name);
      try {
        SignalHandler previous = Signal.handle(signal, StopSignals::received);
        installed.add(new Installed(signal, previous));
        if (previous == SignalHandler.SIG_IGN) {
          // The JVM keeps a signal ignored that the process inherited as ignored (nohup, a background job).
          log.info("SIG{} is ignored by this process, as its parent asked; it will not stop the command", name);
        }
      } catch (IllegalArgumentException e) {
        // E.g. under -Xrs: the JVM's default then applies, and the shutdown hook closes cleanly.
        log.warn("Cannot handle SIG{} ({}); it will end the process without the clean stop", name, e.getMessage());
      }
    }
  }

  private static void restore() {
    for (Installed handler : installed) {
      Signal.handle(handler.signal(), handler.previous());
    }
    installed.clear();
  }

  private static void received(Signal signal) {
    synchronized (lock) {
      restore();
      for (StopSignals waiter : waiters) {
        waiter.stop("SIG" + signal.getName());
      }
    }
  }
}
