package dev.tracereplay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.tracereplay.channel.SeqPacketChannelContract.bytes;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PacketBatchTest {

  @Test
  void holdsTheAddedPacketsBackToBackAndLeavesTheSourcesAsTheyWere() {
    PacketBatch batch = new PacketBatch(4, 3);
    ByteBuffer first = bytes(9, 1, 2, 3).position(1);

    assertThat(batch.add(first)).isTrue();
    assertThat(batch.add(bytes(4, 5, 6, 7, 8))).isTrue();

    assertThat(first.position()).isEqualTo(1);
    assertThat(batch.size()).isEqualTo(2);
    assertThat(batch.length(0)).isEqualTo(3);
    assertThat(batch.length(1)).isEqualTo(5);
    assertThat(batch.packet(0)).isEqualTo(bytes(1, 2, 3));
    assertThat(batch.packet(1)).isEqualTo(bytes(4, 5, 6, 7, 8));
    assertThat(batch.position()).isZero();
  }

  @Test
  void refusesAPacketWhenFullByCountOrByBytes() {
    PacketBatch batch = new PacketBatch(2, 4);
    assertThat(batch.add(bytes(1, 2, 3, 4, 5, 6))).isTrue();
    assertThat(batch.add(bytes(1, 2, 3))).as("3 bytes in the 2 left").isFalse();
    assertThat(batch.add(bytes(1, 2))).isTrue();
    assertThat(batch.add(ByteBuffer.allocate(0))).as("a third packet").isFalse();
    assertThat(batch.size()).isEqualTo(2);

    assertThat(new PacketBatch(2, 4).add(ByteBuffer.allocate(9))).as("longer than the capacity").isFalse();
  }

  @Test
  void clearEmptiesTheBatch() {
    PacketBatch batch = new PacketBatch(2, 4);
    batch.add(bytes(1));
    batch.position(1);

    batch.clear();

    assertThat(batch.isEmpty()).isTrue();
    assertThat(batch.position()).isZero();
    assertThat(batch.add(bytes(1, 2, 3, 4, 5, 6, 7, 8))).isTrue();
  }

  @Test
  void aReceivedPacketLivesInItsSlotAndAnEndOfStreamIsEmpty() {
    PacketBatch batch = new PacketBatch(3, 4);
    batch.startReceive();
    batch.slot(0).put((byte) 7);
    batch.received(1);
    batch.slot(1).put(bytes(1, 2, 3, 4));
    batch.received(4);
    batch.received(-1);

    assertThat(batch.size()).isEqualTo(3);
    assertThat(batch.packet(0)).isEqualTo(bytes(7));
    assertThat(batch.packet(1)).isEqualTo(bytes(1, 2, 3, 4));
    assertThat(batch.length(2)).isEqualTo(-1);
    assertThat(batch.packet(2).remaining()).isZero();
  }

  @Test
  void thePacketViewIsReadOnly() {
    PacketBatch batch = new PacketBatch(1, 4);
    batch.add(bytes(1));

    assertThatThrownBy(() -> batch.packet(0).put((byte) 2)).isInstanceOf(ReadOnlyBufferException.class);
  }

  @Nested
  class Refuses {
    @Test
    void aPacketIndexOutsideTheBatch() {
      PacketBatch batch = new PacketBatch(2, 4);
      batch.add(bytes(1));

      assertThatThrownBy(() -> batch.packet(1)).isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessage("packet 1 of a batch of 1");
      assertThatThrownBy(() -> batch.length(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void sizesOutOfRange() {
      assertThatThrownBy(() -> new PacketBatch(0, 4)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxPackets must be in 1 to 1024, was 0");
      assertThatThrownBy(() -> new PacketBatch(1025, 4)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new PacketBatch(4, 0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("slotSize must be positive, was 0");
      assertThatThrownBy(() -> new PacketBatch(1024, 1 << 21)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("under 2 GiB");
    }
  }
}
