package dev.tracereplay.internal.file;

import dev.tracereplay.file.TraceFileReader;
import java.nio.charset.StandardCharsets;

/**
 * The layout of a tracereplay file, fixed by gVisor: the 16 ASCII bytes {@code tracereplay file},
 * a uint64 little-endian size and that many bytes of JSON config, then records, each a uint64
 * little-endian size and that many bytes: one raw packet (message header and payload) each.
 * Not API: the reader and writer of {@code dev.tracereplay.file} are.
 */
public final class TraceFormat {

  /** The 16-byte signature every trace file starts with. */
  public static final String SIGNATURE = "tracereplay file";

  /** {@link TraceFileReader#DEFAULT_MAX_RECORD_SIZE}, for the callers not yet moved to it. */
  public static final int DEFAULT_MAX_RECORD_SIZE = TraceFileReader.DEFAULT_MAX_RECORD_SIZE;

  /** The size of the little-endian length prefix in front of the config and every record. */
  public static final int SIZE_PREFIX = 8;

  private static final byte[] SIGNATURE_BYTES = SIGNATURE.getBytes(StandardCharsets.US_ASCII);

  /** The signature's bytes, a copy the caller may keep. */
  public static byte[] signatureBytes() {
    return SIGNATURE_BYTES.clone();
  }

  private TraceFormat() {}
}
