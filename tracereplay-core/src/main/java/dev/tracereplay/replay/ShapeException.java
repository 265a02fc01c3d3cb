package dev.tracereplay.replay;

/**
 * A replay shape that cannot be: a spelling that does not parse, settings that contradict each
 * other, or a shape that does not fit the trace (a {@code speed} for a trace whose selected
 * messages carry no time). The message names the spec and says what to write instead;
 * {@link #part()} and {@link #spec()} let a front door say where it came from (the command line
 * names its option, {@code @ReplayTrace} its attribute). A usage error: the command line exits 2.
 */
public class ShapeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Which setting the problem is in. */
  public enum Part {
    FAULTS, TYPES, MESSAGES, SPEED, RATE
  }

  private final Part part;
  private final String spec;

  public ShapeException(Part part, String spec, String message) {
    super(message);
    this.part = part;
    this.spec = spec;
  }

  /** The setting at fault. */
  public Part part() {
    return part;
  }

  /** The text or value that was wrong, as given. */
  public String spec() {
    return spec;
  }
}
