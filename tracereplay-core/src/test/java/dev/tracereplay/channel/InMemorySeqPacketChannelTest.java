package dev.tracereplay.channel;

import org.junit.jupiter.api.BeforeEach;

class InMemorySeqPacketChannelTest extends SeqPacketChannelContract {

  @BeforeEach
  @Override
  void connect() {
    InMemorySeqPacketChannel.Pair pair = InMemorySeqPacketChannel.pair(16, "test");
    client = pair.client();
    server = pair.server();
  }
}
