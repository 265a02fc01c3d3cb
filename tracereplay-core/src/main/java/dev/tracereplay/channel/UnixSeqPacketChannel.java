package dev.tracereplay.channel;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.DatagramPacket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Path;
import java.time.Duration;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.BrokenPipeSocketException;
import org.newsclub.net.unix.ConnectionRefusedSocketException;
import org.newsclub.net.unix.ConnectionResetSocketException;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * A real AF_UNIX SOCK_SEQPACKET connection, on junixsocket. Connect to a listening sink with
 * {@link #connect(Path)}; a {@link UnixSeqPacketListener} hands out the server side.
 *
 * <p>junixsocket's channel reports a receive timeout, an empty packet and the peer's close all
 * as -1, and a send timeout as 0 bytes written; this class turns those back into the
 * {@link SeqPacketChannel} contract: {@link SocketTimeoutException} for timeouts,
 * {@link PeerClosedException} for a peer that is gone. Receiving and sending use one system call
 * each; {@link #tryReceive} switches the socket to non-blocking mode, which costs two calls, and
 * {@link #receive}/{@link #send} switch it back only when needed.
 *
 * <p>On JDK 22 and later, packets in direct buffers bypass junixsocket's channel: send(2) and
 * recv(2) are called on the descriptor through the Foreign Function &amp; Memory API (see
 * {@code ForeignSocketIo}), which saves about a fifth of the CPU time per packet and allocates
 * nothing, and {@link #tryReceive} uses MSG_DONTWAIT without switching modes. Run with
 * {@code --enable-native-access=ALL-UNNAMED} to silence the JDK's warning (junixsocket's own
 * library load needs it too); {@code -Dtracereplay.foreign=false} keeps junixsocket's calls.
 */
public final class UnixSeqPacketChannel implements SeqPacketChannel {
  /**
   * How much earlier than asked the kernel may expire SO_RCVTIMEO: one clock tick, which is at
   * most 10 ms (CONFIG_HZ is at least 100).
   */
  static final int TIMEOUT_EARLY_MILLIS = 10;
  private static final int SHUT_RD = 0;

  private final AFUNIXDatagramSocket socket;
  private final AFUNIXDatagramChannel channel;
  private final String peerAddress;
  private final ForeignSocketIo foreign;
  private final Object modeLock = new Object();
  private volatile int receiveTimeoutMillis;
  private volatile int sendTimeoutMillis;
  private int kernelTimeoutMillis;
  private boolean nonBlocking;

  UnixSeqPacketChannel(AFUNIXDatagramSocket socket, String peerAddress) {
    this.socket = socket;
    this.channel = socket.getChannel();
    this.peerAddress = peerAddress;
    this.foreign = ForeignSocketIo.AVAILABLE ? ForeignSocketIo.forDescriptor(descriptor(socket), peerAddress) : null;
  }

  /**
   * Connects to the sink listening at {@code endpoint}.
   *
   * @throws IOException naming the endpoint and saying what is wrong: nothing there, nothing
   *     listening, not a SOCK_SEQPACKET socket, or no permission
   */
  public static UnixSeqPacketChannel connect(Path endpoint) throws IOException {
    AFUNIXDatagramSocket socket = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
    try {
      socket.connect(AFUNIXSocketAddress.of(endpoint));
    } catch (IOException e) {
      socket.close();
      throw connectFailure(endpoint, e);
    }
    return new UnixSeqPacketChannel(socket, endpoint.toString());
  }

  private static IOException connectFailure(Path endpoint, IOException e) {
    String message = String.valueOf(e.getMessage());
    String why;
    if (e instanceof ConnectionRefusedSocketException || message.contains("Connection refused")) {
      why = "nothing is listening there (a stale socket file, or not a socket)";
    } else if (message.contains("No such file")) {
      why = "there is no socket file at that path";
    } else if (message.contains("Protocol wrong type")) {
      why = "the socket there is not a SOCK_SEQPACKET socket";
    } else if (message.contains("Permission denied")) {
      why = "permission denied";
    } else {
      why = message;
    }
    SocketException failure = new SocketException("cannot connect to the sink at " + endpoint + ": "
        + why + ". Start the sink (or 'tracereplay save') on that path first.");
    failure.initCause(e);
    return failure;
  }

  @Override
  public void send(ByteBuffer packet) throws IOException {
    int timeout = sendTimeoutMillis;
    synchronized (modeLock) {
      blocking(timeout);
    }
    if (foreign != null && packet.isDirect() && packet.hasRemaining()) {
      foreign.send(packet, timeout);
      return;
    }
    try {
      if (!packet.hasRemaining()) {
        // channel.write() of nothing makes no system call; an empty packet needs the socket API.
        socket.send(new DatagramPacket(new byte[0], 0));
        return;
      }
      if (channel.write(packet) == 0) {
        throw new SocketTimeoutException("sending to " + peerAddress + " timed out after " + timeout
            + " ms: the peer is not reading");
      }
    } catch (AsynchronousCloseException e) {
      if (e.getCause() instanceof BrokenPipeSocketException) {
        throw peerClosed(e);
      }
      throw e;
    } catch (BrokenPipeSocketException | ConnectionResetSocketException e) {
      throw peerClosed(e);
    }
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    int timeout = receiveTimeoutMillis;
    synchronized (modeLock) {
      blocking(timeout);
    }
    if (foreign != null && dst.isDirect()) {
      return foreign.receive(dst, false, timeout);
    }
    long start = timeout > 0 ? System.nanoTime() : 0;
    int length;
    try {
      length = channel.read(dst);
    } catch (ConnectionResetSocketException e) {
      // The peer closed with packets of ours still unread: for a receiver, that is the end of stream.
      return -1;
    }
    if (length < 0 && timeout > 0 && mayHaveTimedOut(System.nanoTime() - start, timeout)) {
      // junixsocket reports an expired SO_RCVTIMEO as -1, like the end of stream. The kernel
      // counts that timeout in clock ticks and can expire it up to one tick early (a 1 ms timeout
      // was seen to expire after 0.8 ms under load, and taking that for the end of stream lost the
      // rest of a runsc session), so only a -1 well before the timeout is surely the end of stream
      // (or an empty packet). For a later one, a receive that does not wait tells: nothing queued
      // (0) means the timeout expired; -1 is the end of stream; a packet that arrived just after
      // the timeout is returned. (An empty packet received in that last tick reads as the timeout.)
      int queued = tryReceive(dst);
      if (queued == 0) {
        throw new SocketTimeoutException("receiving from " + peerAddress + " timed out after " + timeout + " ms");
      }
      return queued;
    }
    return length;
  }

  @Override
  public int tryReceive(ByteBuffer dst) throws IOException {
    if (foreign != null && dst.isDirect()) {
      return foreign.receive(dst, true, 0);  // MSG_DONTWAIT: no switch to non-blocking mode and back
    }
    synchronized (modeLock) {
      if (!nonBlocking) {
        channel.configureBlocking(false);
        nonBlocking = true;
      }
    }
    try {
      return channel.read(dst);
    } catch (ConnectionResetSocketException e) {
      return -1;
    }
  }

  @Override
  public void setReceiveTimeout(Duration timeout) {
    receiveTimeoutMillis = millis(timeout);
  }

  @Override
  public void setSendTimeout(Duration timeout) {
    sendTimeoutMillis = millis(timeout);
  }

  /**
   * Shuts down the receiving side (shutdown(2) with SHUT_RD): queued packets can still be read,
   * then reads return -1, and the peer's sends fail. junixsocket does not offer this for
   * SEQPACKET sockets, so it is reached by reflection; where that is not possible the socket is
   * closed instead, which also ends a blocked receive.
   */
  @Override
  public void shutdownInput() throws IOException {
    Method shutdown = NativeShutdown.METHOD;
    if (shutdown == null) {
      close();
      return;
    }
    try {
      FileDescriptor fd = socket.getFileDescriptor();
      shutdown.invoke(null, fd, SHUT_RD);
    } catch (ReflectiveOperationException e) {
      close();
    }
  }

  @Override
  public String peerAddress() {
    return peerAddress;
  }

  @Override
  public void close() throws IOException {
    if (foreign != null) {
      foreign.close();
    }
    socket.close();
  }

  @Override
  public String toString() {
    return "UnixSeqPacketChannel[" + peerAddress + "]";
  }

  /**
   * Whether a -1 from junixsocket after this long, with this receive timeout, may be the timeout
   * rather than the end of stream: the kernel may expire SO_RCVTIMEO up to one clock tick early.
   */
  static boolean mayHaveTimedOut(long elapsedNanos, int timeoutMillis) {
    return elapsedNanos >= (timeoutMillis - TIMEOUT_EARLY_MILLIS) * 1_000_000L;
  }

  /** Puts the socket in blocking mode with this timeout; system calls only for what changes. */
  private void blocking(int timeoutMillis) throws IOException {
    if (nonBlocking) {
      channel.configureBlocking(true);
      nonBlocking = false;
    }
    if (kernelTimeoutMillis != timeoutMillis) {
      socket.setSoTimeout(timeoutMillis);
      kernelTimeoutMillis = timeoutMillis;
    }
  }

  /** The socket's descriptor number for the FFM fast path, or -1. */
  private static int descriptor(AFUNIXDatagramSocket socket) {
    try {
      return FileDescriptorCast.using(socket.getFileDescriptor()).as(Integer.class);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private PeerClosedException peerClosed(IOException cause) {
    return new PeerClosedException("the peer at " + peerAddress + " has closed the connection", cause);
  }

  private static int millis(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    long millis = timeout.toMillis();
    return millis == 0 && !timeout.isZero() ? 1 : (int) Math.min(Integer.MAX_VALUE, millis);
  }

  /** junixsocket's native shutdown(2), looked up once. */
  private static final class NativeShutdown {
    static final Method METHOD = find();

    private static Method find() {
      try {
        Method method = Class.forName("org.newsclub.net.unix.NativeUnixSocket")
            .getDeclaredMethod("shutdown", FileDescriptor.class, int.class);
        method.setAccessible(true);
        return method;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
  }
}
