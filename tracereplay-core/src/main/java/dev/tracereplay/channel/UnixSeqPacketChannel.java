package dev.tracereplay.channel;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.DatagramPacket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.BrokenPipeSocketException;
import org.newsclub.net.unix.ConnectionRefusedSocketException;
import org.newsclub.net.unix.ConnectionResetSocketException;
import org.newsclub.net.unix.FileDescriptorCast;
import org.newsclub.net.unix.OperationNotSupportedSocketException;

/**
 * A real AF_UNIX SOCK_SEQPACKET connection: a junixsocket socket, whose packets go through the
 * JDK's own calls. Connect to a listening sink with {@link #connect(Path)}; a
 * {@link UnixSeqPacketListener} hands out the server side.
 *
 * <p>junixsocket creates, connects, shuts down and closes the socket. Each packet is one system
 * call on its descriptor, made by the JDK rather than through junixsocket's channel, which adds
 * locking, two lambdas allocated per call, an interruptible channel's bookkeeping and JNI to each
 * packet (bench/README.md has the figures), reads an expired receive timeout as -1 like the end of
 * stream, and closes the socket when the peer resets it, losing the packets still queued:
 *
 * <ul>
 *   <li>On JDK 22 and later, packets in direct buffers are sent and received with send(2) and
 *       recv(2), and {@link PacketBatch batches} with sendmmsg(2) and recvmmsg(2), through the
 *       Foreign Function &amp; Memory API (see {@code ForeignSocketIo}), allocating nothing. Run
 *       with {@code --enable-native-access=ALL-UNNAMED} to silence the JDK's warning (junixsocket's
 *       own library load needs it too); {@code -Dtracereplay.foreign=false} turns this off.
 *   <li>Otherwise (JDK 17 to 21, and heap buffers) packets go through a {@link FileChannel} on the
 *       socket's descriptor: write(2) and read(2), which on a SOCK_SEQPACKET socket send and
 *       receive one packet, allocating nothing for direct buffers. Batches move one packet per
 *       call there.
 * </ul>
 *
 * <p>Timeouts: on JDK 22+ each direction has its own kernel option (SO_RCVTIMEO, SO_SNDTIMEO).
 * junixsocket sets both to one value, so before JDK 22 the kernel holds the shorter of the two
 * timeouts set, and a call whose own timeout is longer goes on waiting when the kernel's expires:
 * a send never runs under the receive timeout, or the other way round.
 *
 * <p>An interrupt of a thread blocked in a call closes the channel, as for any
 * {@link java.nio.channels.InterruptibleChannel} (the FFM path cannot be interrupted: close the
 * channel to end a blocked call).
 */
public final class UnixSeqPacketChannel implements SeqPacketChannel {
  private static final int SHUT_RD = 0;

  private final AFUNIXDatagramSocket socket;
  private final String peerAddress;
  private final ForeignSocketIo foreign;
  private final FileChannel input;
  private final FileChannel output;
  private final Object timeoutLock = new Object();
  private volatile int receiveTimeoutMillis;
  private volatile int sendTimeoutMillis;
  // What the kernel holds for each direction (SO_RCVTIMEO, SO_SNDTIMEO); 0 in a new socket.
  private volatile int kernelReceiveTimeoutMillis;
  private volatile int kernelSendTimeoutMillis;

  UnixSeqPacketChannel(AFUNIXDatagramSocket socket, String peerAddress) throws IOException {
    this.socket = socket;
    this.peerAddress = peerAddress;
    try {
      FileDescriptor descriptor = socket.getFileDescriptor();
      this.input = new KeptOpenInput(descriptor).getChannel();
      this.output = new KeptOpenOutput(descriptor).getChannel();
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
    this.foreign = ForeignSocketIo.AVAILABLE ? ForeignSocketIo.forDescriptor(descriptor(socket), peerAddress) : null;
  }

  /**
   * Whether this JVM's sockets send and receive through the FFM fast path (JDK 22 and later, see
   * {@code -Dtracereplay.foreign}) rather than junixsocket's JNI calls: for diagnostics such as
   * {@code tracereplay --version}.
   */
  public static boolean usesForeignCalls() {
    return ForeignSocketIo.AVAILABLE;
  }

  /**
   * How long {@link #connect(Path)} waits for a sink to take the connection: a sink whose queue of
   * pending connections is full makes connect(2) block until it accepts one.
   */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Connects to the sink listening at {@code endpoint}, waiting at most
   * {@link #DEFAULT_CONNECT_TIMEOUT}; see {@link #connect(Path, Duration)}.
   */
  public static UnixSeqPacketChannel connect(Path endpoint) throws IOException {
    return connect(endpoint, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Connects to the sink listening at {@code endpoint}. On AF_UNIX, connect(2) succeeds at once
   * while the listener's queue of pending connections has room, and otherwise blocks until the
   * listener accepts one: {@code timeout} bounds that wait.
   *
   * @param timeout the longest wait for a listener whose queue is full; {@link Duration#ZERO}
   *     waits as long as it takes
   * @throws SocketTimeoutException when the timeout passed: something listens there but does not
   *     accept connections
   * @throws IOException naming the endpoint and saying what is wrong: nothing there, nothing
   *     listening, not a SOCK_SEQPACKET socket, or no permission
   */
  public static UnixSeqPacketChannel connect(Path endpoint, Duration timeout) throws IOException {
    int timeoutMillis = millis(timeout);
    try {
      return open(endpoint, timeoutMillis);
    } catch (IOException e) {
      throw connectFailure(endpoint, e, timeoutMillis);
    }
  }

  /**
   * Connects, reporting a failure as junixsocket's typed exception (a full queue as a
   * {@link SocketTimeoutException}), for callers that act on the kind of failure.
   */
  static UnixSeqPacketChannel open(Path endpoint, int timeoutMillis) throws IOException {
    AFUNIXDatagramSocket socket = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
    try {
      // SO_SNDTIMEO bounds connect(2) on AF_UNIX (junixsocket sets it with SO_RCVTIMEO); both go
      // back to 0 after, the state a new channel assumes.
      socket.setSoTimeout(timeoutMillis);
      socket.connect(AFUNIXSocketAddress.of(endpoint));
      socket.setSoTimeout(0);
    } catch (SocketException e) {
      socket.close();
      // junixsocket reports the expired timeout (EAGAIN) as a SocketException caused by it.
      throw e.getCause() instanceof SocketTimeoutException timeout ? timeout : e;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
    return new UnixSeqPacketChannel(socket, endpoint.toString());
  }

  /** What a failed connect means, decided by the exception's type and the file at the endpoint. */
  private static IOException connectFailure(Path endpoint, IOException e, int timeoutMillis) {
    if (e instanceof SocketTimeoutException) {
      SocketTimeoutException timeout = new SocketTimeoutException("connecting to the sink at " + endpoint
          + " timed out after " + timeoutMillis + " ms: something listens there but does not accept"
          + " connections (its queue of pending connections is full). Check that the sink is serving.");
      timeout.initCause(e);
      return timeout;
    }
    String why;
    if (e instanceof ConnectionRefusedSocketException) {
      String kind = UnixSeqPacketListener.fileKind(endpoint);
      why = kind.equals("a socket") ? "nothing is listening there (a stale socket file)" : "the path is " + kind
          + ", not a socket";
    } else if (e instanceof OperationNotSupportedSocketException) {
      why = "the socket there is not a SOCK_SEQPACKET socket (it is a SOCK_STREAM or SOCK_DGRAM one)";
    } else if (Files.notExists(endpoint)) {
      why = "there is no socket file at that path";
    } else if (!Files.exists(endpoint) || !Files.isWritable(endpoint)) {
      why = "permission denied (connecting needs search permission on its directories and write permission"
          + " on the socket file)";
    } else {
      why = String.valueOf(e.getMessage());
    }
    SocketException failure = new SocketException("cannot connect to the sink at " + endpoint + ": "
        + why + ". Start the sink (or 'tracereplay save') on that path first.");
    failure.initCause(e);
    return failure;
  }

  @Override
  public void send(ByteBuffer packet) throws IOException {
    if (!packet.hasRemaining()) {
      sendEmpty();
    } else if (foreign != null && packet.isDirect()) {
      foreign.send(packet, sendTimeoutMillis);
    } else {
      write(packet);
    }
  }

  @Override
  public void send(PacketBatch batch) throws IOException {
    if (foreign != null) {
      foreign.send(batch, sendTimeoutMillis);
    } else {
      SeqPacketChannel.super.send(batch);
    }
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    if (foreign != null && dst.isDirect()) {
      return foreign.receive(dst, receiveTimeoutMillis);
    }
    return read(dst);
  }

  @Override
  public int receive(PacketBatch batch) throws IOException {
    if (foreign != null) {
      return foreign.receive(batch, receiveTimeoutMillis);
    }
    return SeqPacketChannel.super.receive(batch);
  }

  @Override
  public void setReceiveTimeout(Duration timeout) throws IOException {
    synchronized (timeoutLock) {
      receiveTimeoutMillis = millis(timeout);
      setKernelTimeouts();
    }
  }

  @Override
  public void setSendTimeout(Duration timeout) throws IOException {
    synchronized (timeoutLock) {
      sendTimeoutMillis = millis(timeout);
      setKernelTimeouts();
    }
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

  /**
   * Lets packets of up to {@code bytes} be sent: a SOCK_SEQPACKET packet must fit in the socket's
   * send buffer (SO_SNDBUF), or send(2) fails with EMSGSIZE, and the default buffer (about 208 KiB)
   * holds less than a 1 MiB record. The kernel caps the buffer at {@code net.core.wmem_max}.
   */
  public void setSendBufferSize(int bytes) throws IOException {
    socket.setSendBufferSize(bytes);
  }

  @Override
  public String peerAddress() {
    return peerAddress;
  }

  /**
   * Closes the channel. Calls blocked in other threads are woken and waited for before junixsocket
   * closes the descriptor, so that none reaches a descriptor number the system may already have
   * given to another file.
   */
  @Override
  public void close() throws IOException {
    if (foreign != null) {
      foreign.close();
    }
    input.close();
    output.close();
    socket.close();
  }

  @Override
  public String toString() {
    return "UnixSeqPacketChannel[" + peerAddress + "]";
  }

  /**
   * What to do after the kernel's timeout (EAGAIN) ended a call whose own timeout is
   * {@code timeoutMillis}, with the kernel holding {@code kernelAtStart} before the call and
   * {@code kernelNow} after it: -1 when the call's timeout has passed, otherwise the
   * {@link System#nanoTime()} deadline to go on waiting for, passed back as {@code deadline} on the
   * call's next EAGAIN (0 on the first). Before JDK 22 the kernel holds the shorter of the two
   * directions' timeouts, so a call may see the other direction's.
   */
  static long nextDeadline(int timeoutMillis, int kernelAtStart, int kernelNow, long deadline, long now) {
    if (timeoutMillis == kernelAtStart && timeoutMillis == kernelNow) {
      return -1;  // the kernel's timeout was the call's own
    }
    if (timeoutMillis == 0) {
      return Long.MAX_VALUE;  // the call waits forever; the kernel's timeout was the other direction's
    }
    if (deadline == 0) {
      // The call has waited at least the shorter of the kernel timeouts it may have run under.
      deadline = now + (timeoutMillis - Math.min(kernelAtStart, kernelNow)) * 1_000_000L;
    }
    return now - deadline >= 0 ? -1 : deadline;
  }

  /** Sends through the FileChannel: write(2), one packet. */
  private void write(ByteBuffer packet) throws IOException {
    int timeout = sendTimeoutMillis;
    int kernel = kernelSendTimeoutMillis;
    long deadline = 0;
    while (true) {
      int written;
      try {
        written = output.write(packet);
      } catch (ClosedChannelException e) {
        throw closed(e);
      } catch (IOException e) {
        // write(2) failed: junixsocket's send says how, with a typed exception, or succeeds if the
        // failure has passed (the packet was not sent, so it is sent once).
        written = sendThroughJunixsocket(packet);
      }
      if (written > 0) {
        return;
      }
      deadline = nextDeadline(timeout, kernel, kernelSendTimeoutMillis, deadline, System.nanoTime());
      if (deadline < 0) {
        throw new SocketTimeoutException("sending to " + peerAddress + " timed out after " + timeout
            + " ms: the peer is not reading");
      }
    }
  }

  /** Receives through the FileChannel: read(2), one packet. */
  private int read(ByteBuffer dst) throws IOException {
    if (!dst.hasRemaining()) {
      return 0;
    }
    int timeout = receiveTimeoutMillis;
    int kernel = kernelReceiveTimeoutMillis;
    long deadline = 0;
    boolean failedBefore = false;
    while (true) {
      int length;
      try {
        length = input.read(dst);
      } catch (ClosedChannelException e) {
        throw closed(e);
      } catch (IOException e) {
        if (failedBefore) {
          SocketException failure = new SocketException("receiving from " + peerAddress + " failed: " + e.getMessage());
          failure.initCause(e);
          throw failure;
        }
        // Most likely ECONNRESET, which the kernel reports once, before the packets the peer sent
        // (it closed with packets of ours unread): the next read gets those, then the end of stream.
        failedBefore = true;
        continue;
      }
      if (length != 0) {
        return length;  // a packet, or -1: the end of stream or an empty packet
      }
      deadline = nextDeadline(timeout, kernel, kernelReceiveTimeoutMillis, deadline, System.nanoTime());
      if (deadline < 0) {
        throw new SocketTimeoutException("receiving from " + peerAddress + " timed out after " + timeout + " ms");
      }
    }
  }

  /** A closed FileChannel: after an interrupt (which closed it), the whole channel is closed. */
  private ClosedChannelException closed(ClosedChannelException e) throws IOException {
    if (e instanceof ClosedByInterruptException) {
      close();
    }
    return e;
  }

  /** An empty packet: write(2) of nothing sends nothing, so it goes through junixsocket's socket API. */
  private void sendEmpty() throws IOException {
    try {
      socket.send(new DatagramPacket(new byte[0], 0));
    } catch (BrokenPipeSocketException | ConnectionResetSocketException e) {
      throw peerClosed(e);
    }
  }

  private int sendThroughJunixsocket(ByteBuffer packet) throws IOException {
    try {
      return socket.getChannel().write(packet);
    } catch (AsynchronousCloseException e) {
      if (e.getCause() instanceof BrokenPipeSocketException) {
        throw peerClosed(e);
      }
      throw e;
    } catch (BrokenPipeSocketException | ConnectionResetSocketException e) {
      throw peerClosed(e);
    }
  }

  /** Gives the kernel this channel's timeouts: each its own on JDK 22+, the shorter one before. */
  private void setKernelTimeouts() throws IOException {
    int receive = receiveTimeoutMillis;
    int send = sendTimeoutMillis;
    if (foreign != null) {
      if (receive != kernelReceiveTimeoutMillis) {
        foreign.setReceiveTimeout(receive);
        kernelReceiveTimeoutMillis = receive;
      }
      if (send != kernelSendTimeoutMillis) {
        foreign.setSendTimeout(send);
        kernelSendTimeoutMillis = send;
      }
      return;
    }
    int shared = receive == 0 ? send : send == 0 ? receive : Math.min(receive, send);
    if (shared != kernelReceiveTimeoutMillis) {
      socket.setSoTimeout(shared);
      kernelReceiveTimeoutMillis = shared;
      kernelSendTimeoutMillis = shared;
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

  /**
   * The socket's descriptor as a stream whose close does nothing: its {@link FileChannel} is for
   * the packets only. When that channel is closed (by {@link #close()}, or by an interrupt) it
   * wakes and waits for the threads in its calls and then closes its stream; the descriptor stays
   * junixsocket's to close.
   */
  private static final class KeptOpenInput extends FileInputStream {
    KeptOpenInput(FileDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    public void close() {
      // junixsocket closes the descriptor.
    }
  }

  /** As {@link KeptOpenInput}, for sending. */
  private static final class KeptOpenOutput extends FileOutputStream {
    KeptOpenOutput(FileDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    public void close() {
      // junixsocket closes the descriptor.
    }
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
