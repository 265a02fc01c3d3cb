package dev.tracereplay.server;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The log of refused clients, at most one line per interval: a flood of connections (thousands a
 * second, each refused) would otherwise write a WARN line each, burying everything else and costing
 * the server more than the refusal. The first refusal of an interval is logged with its reason at
 * once; the ones after it are counted, and the count (with the last reason) is logged with the next
 * refusal after the interval, or by {@link #flush} (the server's close). Every refusal is logged at
 * DEBUG with its reason. Thread-safe.
 */
final class RefusalLog {
  static final Duration INTERVAL = Duration.ofSeconds(10);

  private final Logger log;
  private final String address;
  private final long intervalNanos;
  private final LongSupplier clock;
  private long total;
  private long unlogged;
  private String lastUnlogged;
  private long lastLine;
  private boolean logged;
  private long lines;

  RefusalLog(Logger log, String address, Duration interval, LongSupplier clock) {
    this.log = log;
    this.address = address;
    this.intervalNanos = interval.toNanos();
    this.clock = clock;
  }

  /** Counts one refused client and logs it, or counts it for the next line. */
  void refused(String client, String why) {
    log.debug("Refused {} on {}: {}", client, address, why);
    long now = clock.getAsLong();
    String line;
    synchronized (this) {
      total++;
      if (logged && now - lastLine < intervalNanos) {
        unlogged++;
        lastUnlogged = why;
        return;
      }
      line = unlogged == 0 ? "Refused a client on " + address + ": " + why
          : "Refused " + (unlogged + 1) + " clients on " + address + " in the last "
              + Duration.ofNanos(now - lastLine).toSeconds() + " s (the latest: " + why + "); " + total
              + " refused since the start";
      unlogged = 0;
      lastUnlogged = null;
      logged = true;
      lastLine = now;
      lines++;
    }
    log.warn(line + (intervalNanos > 0 ? " (refusals are logged at most once every "
        + Duration.ofNanos(intervalNanos).toSeconds() + " s; every one at DEBUG)" : ""));
  }

  /** Logs the refusals counted and not logged yet, if any. */
  void flush() {
    String line;
    synchronized (this) {
      if (unlogged == 0) {
        return;
      }
      line = "Refused " + unlogged + " more client(s) on " + address + " (the latest: " + lastUnlogged + "); "
          + total + " refused since the start";
      unlogged = 0;
      lastUnlogged = null;
      lines++;
    }
    log.warn(line);
  }

  /** Clients refused since the start. */
  synchronized long total() {
    return total;
  }

  /** Lines written at WARN so far. */
  synchronized long lines() {
    return lines;
  }
}
