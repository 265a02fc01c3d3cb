package dev.tracereplay.replay;

import dev.tracereplay.internal.text.DurationSpec;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the spelling of a {@link Fault} ({@link Fault#parse}). */
final class FaultSyntax {
  private static final Pattern FAULT = Pattern.compile(
      "(drop|corrupt|short|bad-header|unknown-type|oversize|stall|close|handshake-version)([@~=])(.*)");
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,9})?)%");

  private FaultSyntax() {}

  static Fault parse(String spec) {
    Matcher m = FAULT.matcher(spec.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw bad(spec, "unknown fault");
    }
    String name = m.group(1);
    String argument = m.group(3);
    try {
      return switch (name + m.group(2)) {
        case "drop@" -> dropRange(argument);
        case "drop~" -> Fault.dropRandomly(percent(argument));
        case "corrupt@" -> Fault.corrupt(messageNumber(argument));
        case "short@" -> Fault.shortPacket(messageNumber(argument));
        case "bad-header@" -> Fault.badHeader(messageNumber(argument));
        case "unknown-type@" -> Fault.unknownType(messageNumber(argument));
        case "oversize@" -> Fault.oversize(messageNumber(argument));
        case "stall@" -> stall(argument);
        case "close@" -> Fault.closeAfter(messageNumber(argument));
        case "handshake-version=" -> Fault.handshakeVersion(Numbers.parse(argument, "a version"));
        default -> throw new IllegalArgumentException(switch (name) {
          case "drop" -> "drop is followed by @N, @N-M or ~P%";
          case "handshake-version" -> "handshake-version is followed by =V";
          default -> name + " is followed by @N";
        });
      };
    } catch (IllegalArgumentException e) {
      throw bad(spec, e.getMessage());
    }
  }

  private static ShapeException bad(String spec, String why) {
    return new ShapeException(ShapeException.Part.FAULTS, spec,
        "'" + spec.strip() + "' is not a fault: " + why + ". Faults: " + Fault.GRAMMAR);
  }

  private static long messageNumber(String text) {
    return Numbers.parse(text, "a message number");
  }

  private static Fault dropRange(String text) {
    int dash = text.indexOf('-');
    return dash < 0 ? Fault.drop(messageNumber(text))
        : Fault.drop(messageNumber(text.substring(0, dash)), messageNumber(text.substring(dash + 1)));
  }

  private static double percent(String text) {
    Matcher m = PERCENT.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a percentage such as 5% or 0.5%");
    }
    return Double.parseDouble(m.group(1));
  }

  private static Fault stall(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("a stall needs its duration, as in stall@" + text + ":500ms");
    }
    return Fault.stall(messageNumber(text.substring(0, colon)), DurationSpec.parse(text.substring(colon + 1), Fault.MAX_STALL,
        "a stall"));
  }
}
