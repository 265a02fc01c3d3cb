package dev.tracereplay.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSeqPacketChannelTest extends SeqPacketChannelContract {
  @TempDir Path dir;
  UnixSeqPacketListener listener;

  @BeforeEach
  @Override
  void connect() throws IOException {
    listener = UnixSeqPacketListener.bind(dir.resolve("s.sock"));
    client = UnixSeqPacketChannel.connect(dir.resolve("s.sock"));
    server = listener.accept();
  }

  @AfterEach
  void closeListener() throws IOException {
    listener.close();
  }

  /**
   * Before JDK 22 the kernel holds one timeout for both directions, the shorter of the two set: a
   * call whose own timeout is longer (or none) goes on waiting when the kernel's expires.
   */
  @Test
  void anExpiredKernelTimeoutEndsOnlyACallWhoseOwnTimeoutHasPassed() {
    long ms = 1_000_000;
    assertThat(UnixSeqPacketChannel.nextDeadline(20, 20, 20, 0, 5 * ms)).as("its own").isEqualTo(-1);
    assertThat(UnixSeqPacketChannel.nextDeadline(0, 20, 20, 0, 5 * ms)).as("none").isEqualTo(Long.MAX_VALUE);
    long deadline = UnixSeqPacketChannel.nextDeadline(1000, 20, 20, 0, 5 * ms);
    assertThat(deadline).as("a longer one").isEqualTo(985 * ms);
    assertThat(UnixSeqPacketChannel.nextDeadline(1000, 20, 20, deadline, 984 * ms)).isEqualTo(deadline);
    assertThat(UnixSeqPacketChannel.nextDeadline(1000, 20, 20, deadline, 985 * ms)).isEqualTo(-1);
    // The kernel's timeout changed while the call ran: count the shorter one as waited.
    assertThat(UnixSeqPacketChannel.nextDeadline(1000, 1000, 20, 0, 5 * ms)).isEqualTo(985 * ms);
    assertThat(UnixSeqPacketChannel.nextDeadline(20, 1000, 20, 0, 5 * ms)).isEqualTo(-1);
  }
}
