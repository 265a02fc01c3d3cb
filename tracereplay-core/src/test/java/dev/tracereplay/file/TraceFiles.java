package dev.tracereplay.file;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds trace file bytes by hand, for tests that need files the writer would never produce. */
final class TraceFiles {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  static TraceFiles withHeader(String json) {
    TraceFiles file = new TraceFiles();
    file.raw("tracereplay file".getBytes(StandardCharsets.US_ASCII));
    file.sizePrefix(json.length());
    file.raw(json.getBytes(StandardCharsets.UTF_8));
    return file;
  }

  static TraceFiles withHeader() {
    return withHeader("{\"version\":1}");
  }

  TraceFiles record(byte[] packet) {
    sizePrefix(packet.length);
    return raw(packet);
  }

  TraceFiles sizePrefix(long size) {
    return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(size).array());
  }

  TraceFiles raw(byte[] data) {
    bytes.writeBytes(data);
    return this;
  }

  int size() {
    return bytes.size();
  }

  byte[] bytes() {
    return bytes.toByteArray();
  }

  /** A packet: an 8-byte header of type 7 and {@code payloadSize} payload bytes. */
  static byte[] packet(int payloadSize) {
    ByteBuffer packet = ByteBuffer.allocate(8 + payloadSize).order(ByteOrder.LITTLE_ENDIAN);
    packet.putShort((short) 8).putShort((short) 7).putInt(0);
    for (int i = 0; i < payloadSize; i++) {
      packet.put((byte) i);
    }
    return packet.array();
  }
}
