package dev.tracereplay;

import dev.tracereplay.internal.file.TraceFormat;
import dev.tracereplay.replay.ReplayClock;
import dev.tracereplay.replay.ReplayShape;
import java.time.Duration;

/**
 * Every setting of a {@link TraceReplayer}, in one value with the defaults. A replayer's
 * {@code with…} methods change a {@linkplain #copy() copy} before handing it to the new replayer,
 * which keeps it in a final field and never changes it again: immutable once published.
 */
final class ReplaySettings {
  private static final ReplayListener NO_LISTENER = new ReplayListener() {};

  Duration handshakeTimeout = Duration.ofSeconds(30);
  Duration sendTimeout = Duration.ofSeconds(60);
  int maxRecordSize = TraceFormat.DEFAULT_MAX_RECORD_SIZE;
  boolean earlyCloseAllowed;
  ReplayListener listener = NO_LISTENER;
  ReplayShape shape = ReplayShape.AS_RECORDED;
  ReplayClock clock = ReplayClock.system();

  ReplaySettings copy() {
    ReplaySettings copy = new ReplaySettings();
    copy.handshakeTimeout = handshakeTimeout;
    copy.sendTimeout = sendTimeout;
    copy.maxRecordSize = maxRecordSize;
    copy.earlyCloseAllowed = earlyCloseAllowed;
    copy.listener = listener;
    copy.shape = shape;
    copy.clock = clock;
    return copy;
  }
}
