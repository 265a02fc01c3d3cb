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
   * Before JDK 22, junixsocket reads an expired receive timeout as -1, like the end of stream,
   * and the kernel may expire it one clock tick early: under 4 runsc sandboxes a 1 ms timeout
   * came back after 0.8 ms, and the recorder, taking it for the end of stream, lost the rest of
   * that sandbox's session. A -1 is taken for the end of stream without a check only well before
   * the timeout.
   */
  @Test
  void aMinusOneWithinAClockTickOfTheTimeoutIsCheckedBeforeItIsTakenForTheEndOfStream() {
    assertThat(UnixSeqPacketChannel.mayHaveTimedOut(800_000, 1)).isTrue();
    assertThat(UnixSeqPacketChannel.mayHaveTimedOut(0, 1)).isTrue();
    assertThat(UnixSeqPacketChannel.mayHaveTimedOut(11_000_000, 20)).isTrue();
    assertThat(UnixSeqPacketChannel.mayHaveTimedOut(9_000_000, 20)).isFalse();
    assertThat(UnixSeqPacketChannel.mayHaveTimedOut(1_000_000, 10_000)).isFalse();
  }
}
