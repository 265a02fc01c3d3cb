package dev.tracereplay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * {@link UnixSeqPacketChannel#connect}: bounded by its timeout, and a failure said by what it is
 * (the exception's type and the file at the endpoint), never by the operating system's wording.
 */
@Timeout(30)
class UnixSeqPacketConnectTest {
  @TempDir Path dir;

  private Path endpoint() {
    return dir.resolve("sink.sock");
  }

  /** A listener that never accepts, with its queue of pending connections filled. */
  static List<UnixSeqPacketChannel> fillTheQueue(Path endpoint) throws IOException {
    List<UnixSeqPacketChannel> queued = new ArrayList<>();
    // Linux queues backlog + 1 connections; a few more in case a kernel queues more.
    for (int i = 0; i < 16; i++) {
      try {
        queued.add(UnixSeqPacketChannel.connect(endpoint, Duration.ofMillis(200)));
      } catch (SocketTimeoutException full) {
        return queued;
      }
    }
    throw new AssertionError("the queue of " + endpoint + " did not fill up with " + queued.size() + " connections");
  }

  static UnixSeqPacketListener.Options backlogOfOne() {
    return new UnixSeqPacketListener.Options(PosixFilePermissions.fromString("rw-------"), 1);
  }

  @Test
  void aListenerThatDoesNotAcceptMakesConnectTimeOutInsteadOfHanging() throws IOException {
    try (UnixSeqPacketListener notAccepting = UnixSeqPacketListener.bind(endpoint(), backlogOfOne())) {
      List<UnixSeqPacketChannel> queued = fillTheQueue(endpoint());

      assertThatThrownBy(() -> UnixSeqPacketChannel.connect(endpoint(), Duration.ofMillis(300)))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessage("connecting to the sink at " + endpoint() + " timed out after 300 ms: something listens"
              + " there but does not accept connections (its queue of pending connections is full). Check that"
              + " the sink is serving.");

      // Once the listener accepts, there is room again.
      notAccepting.accept().close();
      try (UnixSeqPacketChannel later = UnixSeqPacketChannel.connect(endpoint(), Duration.ofSeconds(10))) {
        assertThat(later.peerAddress()).isEqualTo(endpoint().toString());
      }
      for (UnixSeqPacketChannel channel : queued) {
        channel.close();
      }
    }
  }

  @Test
  void aStaleSocketIsNothingListening() throws IOException {
    AFUNIXDatagramSocket gone = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
    gone.bind(AFUNIXSocketAddress.of(endpoint()));
    gone.close();

    assertThatThrownBy(() -> UnixSeqPacketChannel.connect(endpoint()))
        .isInstanceOf(SocketException.class)
        .hasMessage("cannot connect to the sink at " + endpoint() + ": nothing is listening there (a stale socket"
            + " file). Start the sink (or 'tracereplay save') on that path first.");
  }

  @Test
  void aRegularFileIsNamedAsWhatItIs() throws IOException {
    Files.writeString(endpoint(), "not a socket");

    assertThatThrownBy(() -> UnixSeqPacketChannel.connect(endpoint()))
        .hasMessageContaining(": the path is a regular file, not a socket.");
  }

  @Test
  void aStreamSocketIsNotASeqPacketOne() throws IOException {
    try (AFUNIXServerSocket stream = AFUNIXServerSocket.newInstance()) {
      stream.bind(AFUNIXSocketAddress.of(endpoint()));

      assertThatThrownBy(() -> UnixSeqPacketChannel.connect(endpoint()))
          .hasMessageContaining(": the socket there is not a SOCK_SEQPACKET socket (it is a SOCK_STREAM or"
              + " SOCK_DGRAM one).");
    }
  }

  @Test
  void aMissingFileIsNoSocketFile() {
    assertThatThrownBy(() -> UnixSeqPacketChannel.connect(dir.resolve("missing").resolve("sink.sock")))
        .hasMessageContaining(": there is no socket file at that path.");
  }
}
