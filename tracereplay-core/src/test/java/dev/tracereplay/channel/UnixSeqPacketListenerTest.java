package dev.tracereplay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class UnixSeqPacketListenerTest {
  @TempDir Path dir;

  private Path endpoint() {
    return dir.resolve("sink.sock");
  }

  @Test
  void createsAnOwnerOnlySocketAndRemovesItOnClose() throws IOException {
    try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint())) {
      assertThat(Files.getPosixFilePermissions(endpoint())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      try (java.util.stream.Stream<Path> files = Files.list(dir)) {
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("sink.sock");
      }
    }
    assertThat(endpoint()).doesNotExist();
  }

  @Test
  void givesTheSocketTheConfiguredMode() throws IOException {
    UnixSeqPacketListener.Options options = UnixSeqPacketListener.Options.defaults().withMode("0660");
    try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint(), options)) {
      assertThat(Files.getPosixFilePermissions(endpoint())).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
    }
  }

  @Test
  void rejectsAModeThatIsNotOctal() {
    assertThatThrownBy(() -> UnixSeqPacketListener.Options.defaults().withMode("rw"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("octal");
    assertThatThrownBy(() -> UnixSeqPacketListener.Options.defaults().withMode("1777"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void acceptsConnectionsThatExchangePackets() throws IOException {
    try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint());
        UnixSeqPacketChannel client = UnixSeqPacketChannel.connect(endpoint());
        SeqPacketChannel server = listener.accept()) {
      client.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      ByteBuffer in = ByteBuffer.allocate(16);
      assertThat(server.receive(in)).isEqualTo(3);
      assertThat(server.peerAddress()).contains("pid " + ProcessHandle.current().pid());
    }
  }

  @Test
  void neverDeletesARegularFileAtTheEndpoint() throws IOException {
    Files.writeString(endpoint(), "precious");

    assertThatThrownBy(() -> UnixSeqPacketListener.bind(endpoint()))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("the endpoint is a regular file, not a stale socket; it is left alone");
    assertThat(Files.readString(endpoint())).isEqualTo("precious");
  }

  @Test
  void neverReplacesADirectoryOrASymbolicLink() throws IOException {
    Path target = dir.resolve("target");
    Files.writeString(target, "precious");
    Files.createSymbolicLink(endpoint(), target);
    assertThatThrownBy(() -> UnixSeqPacketListener.bind(endpoint()))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("a symbolic link");
    Files.delete(endpoint());

    Files.createDirectory(endpoint());
    assertThatThrownBy(() -> UnixSeqPacketListener.bind(endpoint()))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("a directory");
    assertThat(Files.readString(target)).isEqualTo("precious");
  }

  @Test
  void replacesAStaleSocket() throws IOException {
    UnixSeqPacketListener first = UnixSeqPacketListener.bind(endpoint());
    Path stale = dir.resolve("stale.sock");
    Files.createLink(stale, endpoint());
    first.close();
    Files.move(stale, endpoint());

    try (UnixSeqPacketListener second = UnixSeqPacketListener.bind(endpoint());
        UnixSeqPacketChannel client = UnixSeqPacketChannel.connect(endpoint())) {
      assertThat(client.peerAddress()).isEqualTo(endpoint().toString());
    }
  }

  @Test
  void refusesToTakeOverALiveServersEndpoint() throws IOException {
    try (UnixSeqPacketListener live = UnixSeqPacketListener.bind(endpoint())) {
      assertThatThrownBy(() -> UnixSeqPacketListener.bind(endpoint()))
          .isInstanceOf(FileAlreadyExistsException.class)
          .hasMessageContaining("a server is already listening on this endpoint");
      live.accept().close();
      try (UnixSeqPacketChannel client = UnixSeqPacketChannel.connect(endpoint());
          SeqPacketChannel server = live.accept()) {
        client.send(ByteBuffer.wrap(new byte[] {9}));
        assertThat(server.receive(ByteBuffer.allocate(4))).isEqualTo(1);
      }
    }
  }

  @Test
  void leavesAFileThatReplacedItsSocketAlone() throws IOException {
    UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint());
    Files.delete(endpoint());
    Files.writeString(endpoint(), "someone else's");
    listener.close();

    assertThat(Files.readString(endpoint())).isEqualTo("someone else's");
  }

  @Test
  void rejectsAPathTooLongForAfUnix() {
    Path tooLong = dir.resolve("x".repeat(120));

    assertThatThrownBy(() -> UnixSeqPacketListener.bind(tooLong))
        .isInstanceOf(java.net.SocketException.class).hasMessageContaining("AF_UNIX socket paths hold at most 107");
  }

  @Test
  void closingUnblocksAnAccept() throws Exception {
    UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint());
    java.util.concurrent.CompletableFuture<Throwable> accept = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        listener.accept();
        return null;
      } catch (IOException e) {
        return e;
      }
    });
    while (!Files.exists(endpoint())) {
      Thread.onSpinWait();
    }
    listener.close();

    assertThat(accept.get()).isInstanceOf(java.nio.channels.ClosedChannelException.class);
  }
}
