package dev.tracereplay.runsc;

import java.util.List;

/**
 * A trace point or context field that the runsc in use does not offer, or a context field that a
 * chosen point does not offer (runsc itself would ignore it without a word, and the recording
 * would lack it). The message names it and the nearest names
 * runsc does offer; {@code runsc trace metadata} (or {@code tracereplay points}) lists them all.
 */
public final class UnknownTraceNameException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final List<String> nearest;

  UnknownTraceNameException(String what, String name, List<String> nearest, int offered) {
    this("unknown " + what + " \"" + name + "\": runsc offers no such " + what + ". The nearest of the "
        + offered + " it offers: " + String.join(", ", nearest) + " (runsc trace metadata lists them all)", name, nearest);
  }

  UnknownTraceNameException(String message, String name, List<String> nearest) {
    super(message);
    this.name = name;
    this.nearest = List.copyOf(nearest);
  }

  /** The name runsc does not offer. */
  public String name() {
    return name;
  }

  /** The names runsc offers that are nearest to it, nearest first. */
  public List<String> nearest() {
    return nearest;
  }
}
