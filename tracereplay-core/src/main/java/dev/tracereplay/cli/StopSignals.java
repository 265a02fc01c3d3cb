package dev.tracereplay.cli;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
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
 * signals: for SIGINT also when the process inherited it as ignored, as Go's {@code signal.Notify}
 * does (on JDK 22 and later, where signal(2) can be called through the FFM API). The first signal
 * wakes every waiter and puts the previous handlers back, so that a second signal ends the
 * process at once (an inherited SIG_IGN is put back too). The last waiter to close also puts them back, so a
 * command run inside a test leaves the JVM as it found it. {@link sun.misc.Signal} is in the
 * {@code jdk.unsupported} module, which the JDK keeps for exactly this use.
 *
 * <p>Thread-safe; each waiter is used by one thread.
 */
final class StopSignals implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StopSignals.class);
  private static final List<String> NAMES = List.of("INT", "TERM");
  private static final int SIGINT = 2;

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

  /** Wakes this waiter as a signal would, e.g. when what the command runs failed; {@link #await} returns {@code why}. */
  void stop(String why) {
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
          // The JVM installs no handler for a signal the process inherited as ignored (nohup, a
          // background job of a non-interactive shell). Go's signal.Notify, and so gVisor's save,
          // does: for SIGINT the disposition is put back to the default first, then ours goes in.
          if (name.equals("INT") && NativeSignal.resetToDefault(SIGINT)) {
            Signal.handle(signal, StopSignals::received);
          } else if (name.equals("INT")) {
            log.warn("SIGINT is ignored by this process, as its parent asked (a background job), and this JVM"
                + " cannot undo that before JDK 22: stop it with SIGTERM, or start it with SIGINT at its default"
                + " (env --default-signal=INT ...)");
          } else {
            log.info("SIG{} is ignored by this process, as its parent asked; it will not stop the command", name);
          }
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

  /**
   * signal(2) through the Foreign Function &amp; Memory API (JDK 22 and later), looked up by
   * reflection since the code is compiled for Java 17: the one way to undo an inherited SIG_IGN,
   * which the JVM refuses to replace.
   */
  private static final class NativeSignal {
    private static final long SIG_DFL = 0;
    private static final long SIG_ERR = -1;

    /** Sets the signal's disposition to the default; false when that is not possible here. */
    static boolean resetToDefault(int signal) {
      if (Runtime.version().feature() < 22) {
        return false;
      }
      try {
        Class<?> linker = foreign("Linker");
        Class<?> layout = foreign("MemoryLayout");
        Class<?> values = foreign("ValueLayout");
        Object nativeLinker = linker.getMethod("nativeLinker").invoke(null);
        Object libc = linker.getMethod("defaultLookup").invoke(nativeLinker);
        Optional<?> symbol =
            (Optional<?>) foreign("SymbolLookup").getMethod("find", String.class).invoke(libc, "signal");
        if (symbol.isEmpty()) {
          return false;
        }
        // sighandler_t signal(int, sighandler_t): the handler is a pointer, a 64-bit integer here.
        Object longLayout = values.getField("JAVA_LONG").get(null);
        Object arguments = Array.newInstance(layout, 2);
        Array.set(arguments, 0, values.getField("JAVA_INT").get(null));
        Array.set(arguments, 1, longLayout);
        Class<?> descriptors = foreign("FunctionDescriptor");
        Object descriptor =
            descriptors.getMethod("of", layout, arguments.getClass()).invoke(null, longLayout, arguments);
        Object noOptions = Array.newInstance(foreign("Linker$Option"), 0);
        MethodHandle call = (MethodHandle) linker.getMethod("downcallHandle", foreign("MemorySegment"), descriptors,
            noOptions.getClass()).invoke(nativeLinker, symbol.get(), descriptor, noOptions);
        return (long) call.invoke(signal, SIG_DFL) != SIG_ERR;
      } catch (Throwable e) {
        log.debug("Cannot call signal(2) through the FFM API", e);
        return false;
      }
    }

    private static Class<?> foreign(String name) throws ClassNotFoundException {
      return Class.forName("java.lang.foreign." + name);
    }
  }
}
