package dev.tracereplay.server;

import dev.tracereplay.internal.file.TraceFormat;
import dev.tracereplay.internal.wire.Handshake;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link SinkServer}, immutable and valid: each {@code with...} method checks its
 * value against the setting's limits and throws {@link IllegalArgumentException} naming them, so
 * that a bad setting fails where it is made, never later at each client. {@link SinkServer.Builder}
 * and {@link dev.tracereplay.TraceRecorder.Builder} both keep their settings in one of these.
 *
 * @see #defaults()
 */
public final class ServerConfig {

  /**
   * The largest {@link #maxMessageSize}: 64 MiB. Each connected client receives into slots this
   * big: one (before JDK 22), or a batch of several whose memory is used only where packets land.
   */
  public static final int MAX_MESSAGE_SIZE_LIMIT = 64 << 20;
  /** The largest {@link #maxClients} and {@link #maxPendingHandshakes} (each is a thread). */
  public static final int MAX_CLIENTS_LIMIT = 65_536;
  /** The longest {@link #handshakeTimeout} and {@link #closeGracePeriod}. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(1);
  /** The longest {@link #name}, which goes into thread names. */
  public static final int MAX_NAME_LENGTH = 64;

  private static final ServerConfig DEFAULTS = new ServerConfig(TraceFormat.DEFAULT_MAX_RECORD_SIZE,
      Handshake.MAX_SIZE, 256, 128, Duration.ofSeconds(5), Duration.ofSeconds(10), Handshake.CURRENT_VERSION, "sink");

  private final int maxMessageSize;
  private final int maxHandshakeSize;
  private final int maxClients;
  private final int maxPendingHandshakes;
  private final Duration handshakeTimeout;
  private final Duration closeGracePeriod;
  private final int handshakeVersion;
  private final String name;

  private ServerConfig(int maxMessageSize, int maxHandshakeSize, int maxClients, int maxPendingHandshakes,
      Duration handshakeTimeout, Duration closeGracePeriod, int handshakeVersion, String name) {
    this.maxMessageSize = maxMessageSize;
    this.maxHandshakeSize = maxHandshakeSize;
    this.maxClients = maxClients;
    this.maxPendingHandshakes = maxPendingHandshakes;
    this.handshakeTimeout = handshakeTimeout;
    this.closeGracePeriod = closeGracePeriod;
    this.handshakeVersion = handshakeVersion;
    this.name = name;
  }

  /**
   * Every setting's default: messages up to 1 MiB, handshakes up to {@value Handshake#MAX_SIZE}
   * bytes, 256 recording clients and 128 more in their handshake, a 5 s handshake timeout (runsc
   * answers at once), a 10 s close grace period, version {@value Handshake#CURRENT_VERSION}, name
   * {@code sink}.
   */
  public static ServerConfig defaults() {
    return DEFAULTS;
  }

  /** The largest message accepted, in bytes; a larger one closes its client. */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /** The largest handshake accepted, in bytes; a larger one closes its client. */
  public int maxHandshakeSize() {
    return maxHandshakeSize;
  }

  /** How many clients may be recorded (past their handshake) at once; more are refused. */
  public int maxClients() {
    return maxClients;
  }

  /** How many clients may be in their handshake at once, apart from {@link #maxClients}. */
  public int maxPendingHandshakes() {
    return maxPendingHandshakes;
  }

  /** How long a new client may take to send its handshake. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** How long {@link SinkServer#close()} lets clients drain before closing them. */
  public Duration closeGracePeriod() {
    return closeGracePeriod;
  }

  /** The version the server announces in its handshake answer. */
  public int handshakeVersion() {
    return handshakeVersion;
  }

  /** A short name for thread names and logs. */
  public String name() {
    return name;
  }

  /** @throws IllegalArgumentException unless 1 to {@value #MAX_MESSAGE_SIZE_LIMIT} */
  public ServerConfig withMaxMessageSize(int bytes) {
    return new ServerConfig(inRange(bytes, 1, MAX_MESSAGE_SIZE_LIMIT, "maxMessageSize", "bytes"), maxHandshakeSize,
        maxClients, maxPendingHandshakes, handshakeTimeout, closeGracePeriod, handshakeVersion, name);
  }

  /**
   * @throws IllegalArgumentException unless 1 to {@value Handshake#MAX_SIZE}, the one limit both
   *     sides of the protocol hold handshakes to
   */
  public ServerConfig withMaxHandshakeSize(int bytes) {
    return new ServerConfig(maxMessageSize, inRange(bytes, 1, Handshake.MAX_SIZE, "maxHandshakeSize", "bytes"),
        maxClients, maxPendingHandshakes, handshakeTimeout, closeGracePeriod, handshakeVersion, name);
  }

  /** @throws IllegalArgumentException unless 1 to {@value #MAX_CLIENTS_LIMIT} */
  public ServerConfig withMaxClients(int clients) {
    return new ServerConfig(maxMessageSize, maxHandshakeSize,
        inRange(clients, 1, MAX_CLIENTS_LIMIT, "maxClients", "clients"), maxPendingHandshakes, handshakeTimeout,
        closeGracePeriod, handshakeVersion, name);
  }

  /** @throws IllegalArgumentException unless 1 to {@value #MAX_CLIENTS_LIMIT} */
  public ServerConfig withMaxPendingHandshakes(int clients) {
    return new ServerConfig(maxMessageSize, maxHandshakeSize, maxClients,
        inRange(clients, 1, MAX_CLIENTS_LIMIT, "maxPendingHandshakes", "clients"), handshakeTimeout,
        closeGracePeriod, handshakeVersion, name);
  }

  /** @throws IllegalArgumentException unless over 0 and at most {@link #MAX_TIMEOUT} */
  public ServerConfig withHandshakeTimeout(Duration timeout) {
    return new ServerConfig(maxMessageSize, maxHandshakeSize, maxClients, maxPendingHandshakes,
        duration(timeout, false, "handshakeTimeout"), closeGracePeriod, handshakeVersion, name);
  }

  /** @throws IllegalArgumentException unless 0 to {@link #MAX_TIMEOUT} */
  public ServerConfig withCloseGracePeriod(Duration period) {
    return new ServerConfig(maxMessageSize, maxHandshakeSize, maxClients, maxPendingHandshakes, handshakeTimeout,
        duration(period, true, "closeGracePeriod"), handshakeVersion, name);
  }

  /** @throws IllegalArgumentException unless at least {@value Handshake#MIN_SUPPORTED_VERSION} (unsigned) */
  public ServerConfig withHandshakeVersion(int version) {
    return new ServerConfig(maxMessageSize, maxHandshakeSize, maxClients, maxPendingHandshakes, handshakeTimeout,
        closeGracePeriod, Handshake.checkVersion("handshakeVersion", version), name);
  }

  /** @throws IllegalArgumentException unless 1 to {@value #MAX_NAME_LENGTH} characters */
  public ServerConfig withName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("name must be 1 to " + MAX_NAME_LENGTH + " characters, was "
          + name.length());
    }
    return new ServerConfig(maxMessageSize, maxHandshakeSize, maxClients, maxPendingHandshakes, handshakeTimeout,
        closeGracePeriod, handshakeVersion, name);
  }

  private static int inRange(int value, int min, int max, String what, String unit) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(what + " must be " + min + " to " + max + " " + unit + ", was " + value);
    }
    return value;
  }

  private static Duration duration(Duration value, boolean zeroAllowed, String what) {
    Objects.requireNonNull(value, what);
    if (value.isNegative() || (!zeroAllowed && value.isZero()) || value.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(what + " must be " + (zeroAllowed ? "0" : "over 0") + " to "
          + MAX_TIMEOUT.toMinutes() + " minutes, was " + value);
    }
    return value;
  }

  @Override
  public String toString() {
    return "ServerConfig[maxMessageSize=" + maxMessageSize + ", maxHandshakeSize=" + maxHandshakeSize
        + ", maxClients=" + maxClients + ", maxPendingHandshakes=" + maxPendingHandshakes + ", handshakeTimeout="
        + handshakeTimeout + ", closeGracePeriod=" + closeGracePeriod + ", handshakeVersion="
        + Integer.toUnsignedString(handshakeVersion) + ", name=" + name + "]";
  }
}
