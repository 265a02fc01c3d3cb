package dev.tracereplay.cli;

import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.internal.record.RecordingDirectory;
import dev.tracereplay.internal.text.DurationSpec;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The option value types shared by subcommands: byte sizes ({@code 1048576}, {@code 256K},
 * {@code 1M}), durations ({@code 30}, {@code 500ms}, {@code 30s}, {@code 2m}) and file modes
 * ({@code 0600}). A bad value is a usage error naming the option.
 */
final class OptionValues {
  private static final Pattern SIZE = Pattern.compile("(\\d{1,19})([kmg]?)");

  private OptionValues() {}

  /** A size in bytes, with an optional binary suffix K, M or G (case-insensitive). */
  static final class Bytes implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new TypeConversionException("'" + value + "' is not a size: use bytes, or a number with K, M or G");
      }
      int shift = switch (m.group(2)) {
        case "k" -> 10;
        case "m" -> 20;
        case "g" -> 30;
        default -> 0;
      };
      try {
        return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
      } catch (ArithmeticException | NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is too large");
      }
    }
  }

  /**
   * A size limit in bytes, as {@link Bytes}, from 1 byte to 1 GiB: buffers of that size are
   * allocated (one per client for a message limit), so a limit beyond that is a typing error.
   */
  static final class Limit implements ITypeConverter<Integer> {
    static final int MAX = 1 << 30;

    @Override
    public Integer convert(String value) {
      long bytes = new Bytes().convert(value);
      if (bytes < 1 || bytes > MAX) {
        throw new TypeConversionException("'" + value + "' is out of range: from 1 byte to 1G");
      }
      return (int) bytes;
    }
  }

  /**
   * A duration: a whole number with a unit ms, s, m or h; seconds when there is none (the
   * spelling of {@link DurationSpec}, as a fault's stall), at most {@link #MAX}.
   */
  static final class Time implements ITypeConverter<Duration> {
    /** A hundred years: beyond any wait a run can mean, and what record's --timeout=0 stands for. */
    static final Duration MAX = Duration.ofDays(36_500);

    @Override
    public Duration convert(String value) {
      try {
        return DurationSpec.parse(value, MAX, "a time option");
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Socket file permissions as an octal mode, e.g. {@code 0600} or {@code 660}. */
  static final class SocketMode implements ITypeConverter<UnixSeqPacketListener.Options> {
    @Override
    public UnixSeqPacketListener.Options convert(String value) {
      return new UnixSeqPacketListener.Options(octal("socket mode", value),
          UnixSeqPacketListener.Options.defaults().backlog());
    }
  }

  /** A recording's permissions as an octal mode from {@code 0600} to {@code 0666}, e.g. {@code 0640}. */
  static final class FileMode implements ITypeConverter<Set<PosixFilePermission>> {
    @Override
    public Set<PosixFilePermission> convert(String value) {
      try {
        return RecordingDirectory.checkFileMode(octal("file mode", value));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** The permissions of an octal mode such as {@code 0660} or {@code 660}; {@code what} names it in errors. */
  static Set<PosixFilePermission> octal(String what, String value) {
    int mode;
    try {
      mode = Integer.parseInt(value.strip(), 8);
    } catch (NumberFormatException e) {
      throw new TypeConversionException(what + " must be octal like 0600, was '" + value + "'");
    }
    if (mode < 0 || mode > 0777) {
      throw new TypeConversionException(what + " must be between 0000 and 0777, was '" + value + "'");
    }
    StringBuilder rwx = new StringBuilder();
    for (int shift = 6; shift >= 0; shift -= 3) {
      int bits = mode >> shift;
      rwx.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
    }
    return PosixFilePermissions.fromString(rwx.toString());
  }
}
