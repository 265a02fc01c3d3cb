package dev.tracereplay.file;

import dev.tracereplay.internal.wire.Handshake;
import java.nio.charset.StandardCharsets;

/**
 * The JSON config at the start of a trace file. Today it holds one field, {@code version}: the wire
 * version the recording server announced, and the version a replay sends in its handshake.
 *
 * <p>It is written compactly, exactly {@code {"version":1}}, so that a replay into a recorder
 * reproduces the original file byte for byte; reading accepts any JSON object and ignores keys it
 * does not know.
 *
 * @param version the wire version, at least 1
 */
public record TraceConfig(int version) {

  /** The config of a recording made by a server speaking version {@value dev.tracereplay.internal.wire.Handshake#CURRENT_VERSION}. */
  public static final TraceConfig CURRENT = new TraceConfig(Handshake.CURRENT_VERSION);

  public TraceConfig {
    Handshake.checkVersion("version", version);
  }

  /** The compact JSON bytes, e.g. {@code {"version":1}}. */
  public byte[] toJson() {
    return ("{\"version\":" + Integer.toUnsignedString(version) + "}").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses a config.
   *
   * @throws IllegalArgumentException naming what is wrong, when the bytes are not a JSON object
   *     with a {@code version} from 1 to 2^32-1
   */
  public static TraceConfig parse(byte[] json) {
    Object version = ConfigJson.parseObject(json).get("version");
    if (version == null) {
      throw new IllegalArgumentException("no \"version\" key in " + ConfigJson.preview(json));
    }
    if (!(version instanceof Long number) || number < 1 || number > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("\"version\" must be a whole number from 1 to 4294967295, was "
          + ConfigJson.preview(json));
    }
    return new TraceConfig((int) number.longValue());
  }
}
