package dev.tracereplay.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.wire.MessageHeader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyntheticTraceTest {

  /**
   * SHA-256 of {@code mktrace FILE 3 SIZE} from the C reference peers, taken once: the Java
   * generator must write the very same bytes, at every boundary of build_msg's layout (no payload,
   * sysno only, one-, two- and three-byte pathname lengths).
   */
  @ParameterizedTest
  @CsvSource({
      "8, 6c2d5e365849dfa81c679f222763174710705e1d5cbedc5c0571feb60e0ffb13",
      "9, bfa2432ef2cb6cab9fd327a2bb260f19d72526d09a84627e6cbf77a3bdc1fe91",
      "10, 07ac6484ad2b720b019170748958229df4952e659b19efbd924ee8af19e28370",
      "11, 9a7aadd45a7e5a73ddd83d8ed60ff699a69bd338b93293a87fd4e0d9e8d36dd9",
      "12, 4e5133c941a93b4470981fb6e50c534f820cc1731786b6ad5247798ac60a7bc8",
      "13, 6770ea16fd207a76e9bd227610cedd82bc35e3c41d50704e72daf71b4ecb7dff",
      "14, bc0d84e55d1b350c92654a81b1922ff3b10fa58f4a7772e062bb916a9d94d6dc",
      "64, cb9d005354e9518e1b4c18fd1cf3cf0e2b97e2bbc51f5fce7b5297bc57a49f5d",
      "137, 72bd72466bbb9219b9778b3f99b77aefcb84eadbd4352451f6a6cff97240b8d4",
      "138, c7007b716afb266771627648a92e7a15a8e7da73bc9e0a325bc1d56c2dadd771",
      "139, 015282b8207b7b53f3b2c04a3dda111a0e9c86b38224809cf56f0a8e0ef88a0f",
      "140, f1b120f89a8342394f9711fab512e289dbb44de2ddaf0688b1ea5479d341181d",
      "512, 25a8184f9585e85070e8c50046ddbd6ae4cd7ccda5d7619db256515b0ef14bfb",
      "16394, d26c0ff72efb7eecdf21cf5aebe3d2c46cacaeb5ce49f4a8cc19e58783b72d1f",
      "16395, 69c348992d408965df5c2cba9c54dec6e9f9f3b273a778cf7ad886ca611dd24a",
      "16396, 164b0bd9a409b773f41f9deac8d92025232b23990aa8a8ae815547893a10dca5",
      "70000, a045bdfb7672f7efdce91c580e797a52a15b96da7f16b485c52f9ac0d96d29f5",
  })
  void writesTheSameBytesAsTheCReferenceMktrace(int size, String mktraceSha256, @TempDir Path dir)
      throws Exception {
    Path trace = dir.resolve("trace");

    long written = SyntheticTrace.write(trace, 3, size);

    assertThat(written).isEqualTo(Files.size(trace)).isEqualTo(SyntheticTrace.fileSize(3, size));
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(trace));
    assertThat(HexFormat.of().formatHex(digest)).isEqualTo(mktraceSha256);
  }

  @Test
  void messagesAreValidOpenPointsOfTheExactSize(@TempDir Path dir) throws Exception {
    for (int size : new int[] {14, 64, 512, 70000}) {
      Path trace = dir.resolve("trace-" + size);
      SyntheticTrace.write(trace, 2, size);
      try (TraceFileReader reader = TraceFileReader.open(trace)) {
        int records = 0;
        while (reader.next()) {
          ByteBuffer packet = reader.record();
          assertThat(packet.remaining()).isEqualTo(size);
          assertThat(MessageHeader.read(packet.duplicate())).isEqualTo(new MessageHeader(8, 7, 0));
          Open open = Open.parseFrom(packet.duplicate().position(packet.position() + 8));
          assertThat(open.getSysno()).isEqualTo(257);
          assertThat(open.getSerializedSize()).isEqualTo(size - 8);
          assertThat(open.getPathname().chars().allMatch(c -> c == 'a')).isTrue();
          records++;
        }
        assertThat(records).isEqualTo(2);
      }
    }
  }

  @Test
  void refusesSizesOutsideTheFormat() {
    assertThatThrownBy(() -> SyntheticTrace.message(7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("message size must be between 8 and 1048576 bytes, was 7");
  }
}
