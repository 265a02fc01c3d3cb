package dev.tracereplay.channel;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
}
