package dev.tracereplay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

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
    UnixSeqPacketListener.Options options = new UnixSeqPacketListener.Options(
        PosixFilePermissions.fromString("rw-rw----"), 128);
    try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint(), options)) {
      assertThat(Files.getPosixFilePermissions(endpoint())).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
    }
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

  /** A SOCK_STREAM listener refuses a SOCK_SEQPACKET connect with EPROTOTYPE: it is live, not stale. */
  @Test
  void neverDeletesAnotherProgramsStreamListener() throws IOException {
    try (AFUNIXServerSocket stream = AFUNIXServerSocket.newInstance()) {
      stream.bind(AFUNIXSocketAddress.of(endpoint()));

      assertThatThrownBy(() -> UnixSeqPacketListener.bind(endpoint()))
          .isInstanceOf(FileAlreadyExistsException.class)
          .hasMessage(endpoint() + ": another program's socket of another type (SOCK_STREAM or SOCK_DGRAM) is"
              + " bound there; it is left alone. Stop that program or choose another endpoint");
      try (AFUNIXSocket client = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(endpoint()));
          Socket served = stream.accept()) {
        client.getOutputStream().write(7);
        assertThat(served.getInputStream().read()).isEqualTo(7);
      }
    }
  }

  @Test
  void neverDeletesABoundDatagramSocket() throws IOException {
    try (AFUNIXDatagramSocket datagrams = AFUNIXDatagramSocket.newInstance();
        AFUNIXDatagramSocket sender = AFUNIXDatagramSocket.newInstance()) {
      datagrams.bind(AFUNIXSocketAddress.of(endpoint()));

      assertThatThrownBy(() -> UnixSeqPacketListener.bind(endpoint()))
          .isInstanceOf(FileAlreadyExistsException.class)
          .hasMessageContaining("another program's socket of another type (SOCK_STREAM or SOCK_DGRAM)");
      sender.connect(AFUNIXSocketAddress.of(endpoint()));
      sender.send(new DatagramPacket(new byte[] {5}, 1));
      DatagramPacket received = new DatagramPacket(new byte[4], 4);
      datagrams.receive(received);
      assertThat(received.getLength()).isEqualTo(1);
    }
  }

  /** The check for a live server never hangs on one whose queue is full (connect(2) would block). */
  @Test
  void refusesAServerThatDoesNotAcceptWithoutHanging() throws IOException {
    try (UnixSeqPacketListener notAccepting =
        UnixSeqPacketListener.bind(endpoint(), UnixSeqPacketConnectTest.backlogOfOne())) {
      List<UnixSeqPacketChannel> queued = UnixSeqPacketConnectTest.fillTheQueue(endpoint());

      assertThatThrownBy(() -> UnixSeqPacketListener.bind(endpoint()))
          .isInstanceOf(FileAlreadyExistsException.class)
          .hasMessage(endpoint() + ": a server is listening on this endpoint but not accepting connections (its"
              + " queue of pending connections stayed full for 2000 ms); it is left alone. Stop that program or"
              + " choose another endpoint");
      assertThat(notAccepting.accept()).isNotNull();
      for (UnixSeqPacketChannel channel : queued) {
        channel.close();
      }
    }
  }

  /**
   * An endpoint in a directory so deep that the private socket path next to it is over AF_UNIX's
   * limit: it used to be bound in place, listening before its mode was set (and junixsocket makes
   * it 0666), so another user could connect. It is bound through a short link in the temporary
   * directory instead, and never visible at the endpoint with another mode: a thread watches the
   * endpoint's mode through a hundred binds.
   */
  @Test
  void aDeepEndpointIsNeverReachableWithALooserMode() throws Exception {
    Path deep = Files.createDirectory(dir.resolve("d".repeat(90 - dir.toString().length())));
    Path endpoint = deep.resolve("s.sock");
    assertThat(endpoint.toString().length()).isLessThanOrEqualTo(UnixSeqPacketListener.MAX_PATH_BYTES);
    assertThat(deep.resolve(".tracereplay-1234567890123456789/s").toString().length())
        .isGreaterThan(UnixSeqPacketListener.MAX_PATH_BYTES);
    Set<String> modesSeen = ConcurrentHashMap.newKeySet();
    AtomicBoolean binding = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (binding.get()) {
        try {
          modesSeen.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(endpoint, LinkOption.NOFOLLOW_LINKS)));
        } catch (IOException notThere) {
          // Between two binds.
        }
      }
    });
    watcher.start();
    try {
      for (int i = 0; i < 100; i++) {
        try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint);
            UnixSeqPacketChannel client = UnixSeqPacketChannel.connect(endpoint)) {
          assertThat(Files.getPosixFilePermissions(endpoint)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
      }
    } finally {
      binding.set(false);
      watcher.join();
    }

    assertThat(modesSeen).containsOnly("rw-------");
    try (Stream<Path> left = Files.list(deep)) {
      assertThat(left).isEmpty();
    }
    try (Stream<Path> temporary = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(temporary.filter(Files::isSymbolicLink).map(UnixSeqPacketListenerTest::target))
          .noneMatch(target -> target.startsWith(deep));
    }
  }

  private static Path target(Path link) {
    try {
      return Files.readSymbolicLink(link);
    } catch (IOException gone) {
      return link;
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
