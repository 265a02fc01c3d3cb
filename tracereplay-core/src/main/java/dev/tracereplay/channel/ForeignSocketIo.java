package dev.tracereplay.channel;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.AsynchronousCloseException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.BrokenPipeSocketException;
import org.newsclub.net.unix.ConnectionResetSocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fast path of {@link UnixSeqPacketChannel} on JDK 22 and later: send(2), recv(2), and for
 * batches sendmmsg(2) and recvmmsg(2), called directly on the socket's descriptor through the
 * Foreign Function &amp; Memory API, for direct buffers. A batch moves many packets per system
 * call, each still its own packet; the kernel's work per packet is the same, the cost of entering
 * it is shared.
 *
 * <p>The library is compiled for Java 17, where the FFM API does not exist, so the downcall handles
 * are built by reflection once, and called with {@code invokeExact} on constant handles whose types
 * hold only {@code int}, {@code long} and {@code Object}: the JIT inlines them like direct calls.
 * On JDK 17 to 21, when {@code -Dtracereplay.foreign=false} is set, or when native access is
 * denied, {@link #AVAILABLE} is false and the channel uses the JDK's own calls.
 *
 * <p>The socket stays in blocking mode. Each direction's timeout is its own kernel option
 * (SO_RCVTIMEO, SO_SNDTIMEO, set here with setsockopt(2)), and an expired one reads as EAGAIN,
 * reported as a {@link SocketTimeoutException}. A reset (ECONNRESET: the peer closed with packets
 * of ours unread) is reported by the kernel once and before the packets the peer sent, so a
 * receive goes on past it to those packets and then the end of stream. The descriptor is never
 * used after {@link #close}: calls in flight are counted and the close waits for them, after a
 * shutdown(2) has woken any blocked one.
 *
 * <p>Thread-safety: one sending and one receiving thread at a time, as {@link SeqPacketChannel}.
 */
final class ForeignSocketIo {
  private static final Logger log = LoggerFactory.getLogger(ForeignSocketIo.class);

  private static final int EINTR = 4;
  private static final int EBADF = 9;
  private static final int EAGAIN = 11;
  private static final int EPIPE = 32;
  private static final int EMSGSIZE = 90;
  private static final int ECONNRESET = 104;
  private static final int ENOTCONN = 107;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int MSG_WAITFORONE = 0x10000;
  private static final int SHUT_RDWR = 2;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final int SO_SNDTIMEO = 21;
  private static final int PROT_READ_WRITE = 0x1 | 0x2;
  private static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;
  private static final int MADV_DONTNEED = 4;
  private static final int MADV_NOHUGEPAGE = 15;
  /** The system's page size, what madvise(2) ranges are aligned to. */
  private static final long PAGE;

  /**
   * How much of a received packet's slot stays resident once the batch is cleared (as every
   * receive starts): the pages of a longer packet beyond this are given back to the system, so that
   * a batch whose slots are sized for the largest packet allowed holds at most this much per slot
   * once large packets have passed.
   */
  static final int RESIDENT_PER_SLOT = 64 << 10;

  // struct mmsghdr and struct iovec on the LP64 Linux ABIs (x86-64, AArch64): msg_iov at 16,
  // msg_iovlen at 24, msg_len at 56, 64 bytes in all; an iovec is a pointer and a length.
  private static final int MMSGHDR_SIZE = 64;
  private static final int MSG_IOV = 16;
  private static final int MSG_IOVLEN = 24;
  private static final int MSG_LEN = 56;
  private static final int IOVEC_SIZE = 16;

  /** Whether the fast path can be used in this JVM. */
  static final boolean AVAILABLE;

  /** {@code ssize_t send(int, const void *, size_t, int)}: (capture, fd, address, length, flags) long. */
  private static final MethodHandle SEND;
  /** {@code ssize_t recv(int, void *, size_t, int)}: (capture, fd, address, length, flags) long. */
  private static final MethodHandle RECV;
  /** {@code int sendmmsg(int, struct mmsghdr *, unsigned, int)}: (capture, fd, address, count, flags) int. */
  private static final MethodHandle SENDMMSG;
  /**
   * {@code int recvmmsg(int, struct mmsghdr *, unsigned, int, struct timespec *)}: (capture, fd,
   * address, count, flags, timeout) int.
   */
  private static final MethodHandle RECVMMSG;
  /**
   * recvmmsg(2) as {@link #RECVMMSG}, without capturing errno: (fd, address, count, flags,
   * timeout) int. The receive loop's call, made for every wake-up: capturing errno makes the JDK
   * slice the capture segment on every call, which only C2's escape analysis removes, so with C1
   * (save's compiler) each call would allocate. A failure is asked again with {@link #RECVMMSG}.
   */
  private static final MethodHandle RECVMMSG_UNCAPTURED;
  /** {@code int setsockopt(int, int, int, const void *, socklen_t)}: (capture, fd, level, name, address, length) int. */
  private static final MethodHandle SETSOCKOPT;
  /** {@code int shutdown(int, int)}: (capture, fd, how) int. */
  private static final MethodHandle SHUTDOWN;
  /** errno as captured by the last call: (capture) int. */
  private static final MethodHandle ERRNO;
  /** A new capture-state segment for one thread's calls: () Object. */
  private static final MethodHandle NEW_CAPTURE;
  /** The address of a direct buffer's position: (ByteBuffer) long. */
  private static final MethodHandle ADDRESS;
  /** {@code void *mmap(void *, size_t, int, int, int, off_t)}: (address, length, prot, flags, fd, offset) long. */
  private static final MethodHandle MMAP;
  /** {@code int munmap(void *, size_t)}: (address, length) int. */
  private static final MethodHandle MUNMAP;
  /** {@code int madvise(void *, size_t, int)}: (address, length, advice) int. */
  private static final MethodHandle MADVISE;
  /**
   * A direct buffer over native memory, whose cleanup runs once the buffer (and every view of it)
   * is unreachable: (address, length, Consumer cleanup) ByteBuffer.
   */
  private static final MethodHandle WRAP;

  static {
    MethodHandle[] handles = null;
    if (!"false".equals(System.getProperty("tracereplay.foreign")) && Runtime.version().feature() >= 22) {
      try {
        handles = linkHandles();
      } catch (Throwable e) {
        log.debug("The FFM fast path for sockets is not available; using junixsocket's calls", e);
      }
    }
    AVAILABLE = handles != null;
    SEND = AVAILABLE ? handles[0] : null;
    RECV = AVAILABLE ? handles[1] : null;
    SENDMMSG = AVAILABLE ? handles[2] : null;
    RECVMMSG = AVAILABLE ? handles[3] : null;
    SETSOCKOPT = AVAILABLE ? handles[4] : null;
    SHUTDOWN = AVAILABLE ? handles[5] : null;
    ERRNO = AVAILABLE ? handles[6] : null;
    NEW_CAPTURE = AVAILABLE ? handles[7] : null;
    ADDRESS = AVAILABLE ? handles[8] : null;
    MMAP = AVAILABLE ? handles[9] : null;
    MUNMAP = AVAILABLE ? handles[10] : null;
    MADVISE = AVAILABLE ? handles[11] : null;
    WRAP = AVAILABLE ? handles[12] : null;
    PAGE = AVAILABLE ? pageSize(handles[13]) : 4096;
    RECVMMSG_UNCAPTURED = AVAILABLE ? handles[14] : null;
  }

  private final int fd;
  private final String peerAddress;
  private final Object sendCapture;
  private final Object receiveCapture;
  private final Object optionCapture;
  private final AtomicInteger callsInFlight = new AtomicInteger();
  private volatile boolean closed;

  // Each side's last buffer and its base address, so the address is looked up once per buffer.
  private ByteBuffer sendBuffer;
  private long sendBase;
  private ByteBuffer receiveBuffer;
  private long receiveBase;
  private ByteBuffer timeval;
  private long timevalAddress;

  private ForeignSocketIo(int fd, String peerAddress) {
    this.fd = fd;
    this.peerAddress = peerAddress;
    this.sendCapture = newCapture();
    this.receiveCapture = newCapture();
    this.optionCapture = newCapture();
  }

  /** The fast path for the connected socket with this descriptor, or null when not available. */
  static ForeignSocketIo forDescriptor(int fd, String peerAddress) {
    if (!AVAILABLE || fd < 0) {
      return null;
    }
    try {
      return new ForeignSocketIo(fd, peerAddress);
    } catch (RuntimeException | Error e) {
      log.debug("Cannot use the FFM fast path for {}", peerAddress, e);
      return null;
    }
  }

  /** Sends the direct buffer's remaining bytes as one packet; as {@link SeqPacketChannel#send(ByteBuffer)}. */
  void send(ByteBuffer packet, int timeoutMillis) throws IOException {
    int position = packet.position();
    int length = packet.limit() - position;
    if (packet != sendBuffer) {
      sendBase = address(packet) - position;
      sendBuffer = packet;
    }
    enter();
    try {
      while (true) {
        long sent = send(sendCapture, fd, sendBase + position, length);
        if (sent >= 0) {
          packet.position(position + (int) sent);
          return;
        }
        int errno = errno(sendCapture);
        if (errno != EINTR) {
          throw sendFailure(errno, length, timeoutMillis);
        }
      }
    } finally {
      exit();
    }
  }

  /**
   * Sends the batch's packets from its position on with sendmmsg(2), as many per call as the
   * kernel takes; as {@link SeqPacketChannel#send(PacketBatch)}.
   */
  void send(PacketBatch batch, int timeoutMillis) throws IOException {
    int next = batch.position();
    int end = batch.size();
    if (next >= end) {
      return;
    }
    BatchHeaders headers = headers(batch);
    headers.pointAtPackets(batch, next, end);
    enter();
    try {
      while (next < end) {
        int sent = sendmmsg(sendCapture, fd, headers.address + (long) next * MMSGHDR_SIZE, end - next);
        if (sent > 0) {
          next += sent;
          batch.position(next);
          continue;
        }
        int errno = errno(sendCapture);
        if (errno != EINTR) {
          throw sendFailure(errno, batch.length(next), timeoutMillis);
        }
      }
    } finally {
      exit();
    }
  }

  /** Receives one packet into the direct buffer; as {@link SeqPacketChannel#receive(ByteBuffer)}. */
  int receive(ByteBuffer dst, int timeoutMillis) throws IOException {
    if (dst.isReadOnly()) {
      throw new ReadOnlyBufferException();
    }
    int position = dst.position();
    int space = dst.limit() - position;
    if (space == 0) {
      return 0;
    }
    if (dst != receiveBuffer) {
      receiveBase = address(dst) - position;
      receiveBuffer = dst;
    }
    enter();
    try {
      boolean reset = false;
      while (true) {
        long received = recv(receiveCapture, fd, receiveBase + position, space);
        if (received > 0) {
          dst.position(position + (int) received);
          return (int) received;
        }
        if (received == 0) {
          return -1;  // the peer closed, or sent an empty packet: the same on SOCK_SEQPACKET
        }
        int errno = errno(receiveCapture);
        if (errno == ECONNRESET && !reset) {
          reset = true;  // reported once, before the packets the peer sent: go on to them
        } else if (errno == ECONNRESET) {
          return -1;
        } else if (errno != EINTR) {
          throw receiveFailure(errno, timeoutMillis);
        }
      }
    } finally {
      exit();
    }
  }

  /**
   * Receives into the batch's slots with recvmmsg(2) and MSG_WAITFORONE: waits for the first
   * packet, then takes what is queued without waiting; as {@link SeqPacketChannel#receive(PacketBatch)}.
   */
  int receive(PacketBatch batch, int timeoutMillis) throws IOException {
    BatchHeaders headers = headers(batch);
    headers.pointAtSlots(batch);
    batch.startReceive();
    enter();
    try {
      boolean reset = false;
      while (true) {
        long start = timeoutMillis == 0 ? 0 : System.nanoTime();
        int received = recvmmsg(fd, headers.address, batch.maxPackets());
        if (received < 0) {
          // errno was not captured: ask again without waiting, capturing it. What failed before
          // either fails the same way (a closed or broken socket), or was an expired timeout, a
          // signal, or a reset the kernel reports once: then the second call finds the packets
          // queued since, the end of stream, or nothing (EAGAIN).
          received = recvmmsg(receiveCapture, fd, headers.address, batch.maxPackets(), MSG_WAITFORONE | MSG_DONTWAIT);
        }
        if (received > 0) {
          headers.collect(batch, received);
          return batch.size();
        }
        int errno = received == 0 ? 0 : errno(receiveCapture);
        if (errno == ECONNRESET && !reset) {
          reset = true;
        } else if (errno == ECONNRESET || errno == 0) {
          batch.received(-1);
          return 1;
        } else if (errno == EAGAIN && !expired(start, timeoutMillis)) {
          // Nothing queued, and no timeout expired: a signal ended the wait (EINTR); wait again.
        } else if (errno != EINTR) {
          throw receiveFailure(errno, timeoutMillis);
        }
      }
    } finally {
      exit();
    }
  }

  /**
   * Gives back to the system the pages of each packet in a lazily mapped batch beyond its first
   * {@link #RESIDENT_PER_SLOT} bytes, as the batch is cleared (its packets are no longer needed):
   * the mapping provides zeroed pages again wherever the next packets land.
   */
  static void releaseLargePackets(PacketBatch batch) {
    long base = 0;  // looked up only for a large packet: this runs as every receive starts
    for (int i = 0; i < batch.size(); i++) {
      int length = batch.length(i);
      if (length > RESIDENT_PER_SLOT) {
        if (base == 0) {
          base = address(batch.buffer());
        }
        long start = base + batch.offset(i);
        long from = (start + RESIDENT_PER_SLOT + PAGE - 1) & -PAGE;
        long to = (start + length) & -PAGE;
        if (to > from && madvise(from, to - from, MADV_DONTNEED) != 0) {
          log.warn("Could not give back {} bytes of a receive batch's memory (madvise failed); they stay resident"
              + " until the batch is freed", to - from);
        }
      }
    }
  }

  /**
   * A direct buffer of {@code length} bytes of anonymous private memory (mmap(2)) that the system
   * provides page by page as it is first written: a buffer sized for the largest packet allowed
   * costs only what the packets written into it use. Huge pages are refused for it (one would make
   * 2 MiB resident for a packet's first byte). The mapping is unmapped once the buffer and every
   * view of it are unreachable.
   *
   * @return null when the fast path is not available or the mapping failed (then allocate otherwise)
   */
  static ByteBuffer mapLazily(int length) {
    if (!AVAILABLE) {
      return null;
    }
    long address = mmap(length);
    if (address == -1) {
      log.warn("Could not map {} bytes lazily (mmap failed: an address-space limit or strict overcommit?);"
          + " the batch is allocated whole instead", length);
      return null;
    }
    if (madvise(address, length, MADV_NOHUGEPAGE) != 0) {
      log.debug("madvise(MADV_NOHUGEPAGE) of {} bytes failed", length);
    }
    Consumer<Object> unmap = segment -> {
      if (munmap(address, length) != 0) {
        log.debug("munmap of {} bytes at {} failed", length, address);
      }
    };
    try {
      return (ByteBuffer) WRAP.invokeExact(address, (long) length, (Consumer<?>) unmap);
    } catch (Throwable e) {
      unmap.accept(null);
      throw unexpected(e);
    }
  }

  /** Sets the socket's SO_RCVTIMEO, so that it applies to receives only. */
  void setReceiveTimeout(int millis) throws IOException {
    setTimeout(SO_RCVTIMEO, millis);
  }

  /** Sets the socket's SO_SNDTIMEO, so that it applies to sends only. */
  void setSendTimeout(int millis) throws IOException {
    setTimeout(SO_SNDTIMEO, millis);
  }

  private synchronized void setTimeout(int option, int millis) throws IOException {
    if (timeval == null) {
      timeval = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
      timevalAddress = address(timeval);
    }
    timeval.putLong(0, millis / 1000).putLong(8, (millis % 1000) * 1000L);
    enter();
    try {
      int result = setsockopt(optionCapture, fd, option, timevalAddress);
      if (result != 0) {
        int errno = errno(optionCapture);
        throw failure("setting the " + (option == SO_RCVTIMEO ? "receive" : "send") + " timeout of", errno);
      }
    } finally {
      exit();
    }
  }

  /** What a failed send or sendmmsg means (for any errno but EINTR, which is retried). */
  private IOException sendFailure(int errno, int length, int timeoutMillis) {
    return switch (errno) {
      case EAGAIN -> new SocketTimeoutException("sending to " + peerAddress + " timed out after " + timeoutMillis
          + " ms: the peer is not reading");
      case EPIPE -> new PeerClosedException("the peer at " + peerAddress + " has closed the connection",
          new BrokenPipeSocketException("Broken pipe"));
      case ECONNRESET -> new PeerClosedException("the peer at " + peerAddress + " has closed the connection",
          new ConnectionResetSocketException("Connection reset by peer"));
      case EMSGSIZE -> new SocketException("sending a packet of " + length + " bytes to " + peerAddress
          + " failed: Message too long (larger than the socket's send buffer)");
      default -> failure("sending to", errno);
    };
  }

  /**
   * Whether a receive that began at {@code start} (System.nanoTime) ended by its timeout. The
   * kernel counts SO_RCVTIMEO in clock ticks and may end it up to a tick early, so a wait of at
   * least half the timeout counts; a signal ends a wait at any moment, mostly much earlier.
   */
  private static boolean expired(long start, int timeoutMillis) {
    return timeoutMillis != 0 && System.nanoTime() - start >= timeoutMillis * 500_000L;
  }

  private IOException receiveFailure(int errno, int timeoutMillis) {
    if (errno == EAGAIN) {
      return new SocketTimeoutException("receiving from " + peerAddress + " timed out after " + timeoutMillis + " ms");
    }
    return failure("receiving from", errno);
  }

  /** The batch's native message headers, made on first use. */
  private static BatchHeaders headers(PacketBatch batch) {
    Object headers = batch.nativeHeaders;
    if (headers == null) {
      headers = new BatchHeaders(batch);
      batch.nativeHeaders = headers;
    }
    return (BatchHeaders) headers;
  }

  /**
   * A batch's array of {@code struct mmsghdr}, each with one {@code struct iovec}, in native
   * memory: the headers first, then the iovecs. Each header points at its iovec once and for all;
   * the iovecs point at the batch's slots for a receive or at its packets for a send.
   */
  private static final class BatchHeaders {
    final ByteBuffer memory;
    final long address;
    final long dataAddress;
    final int iovecs;
    boolean atSlots;

    BatchHeaders(PacketBatch batch) {
      int count = batch.maxPackets();
      memory = ByteBuffer.allocateDirect(count * (MMSGHDR_SIZE + IOVEC_SIZE)).order(ByteOrder.nativeOrder());
      address = address(memory);
      dataAddress = address(batch.buffer());
      iovecs = count * MMSGHDR_SIZE;
      for (int i = 0; i < count; i++) {
        memory.putLong(i * MMSGHDR_SIZE + MSG_IOV, address + iovecs + (long) i * IOVEC_SIZE);
        memory.putLong(i * MMSGHDR_SIZE + MSG_IOVLEN, 1);
      }
    }

    void pointAtPackets(PacketBatch batch, int from, int to) {
      atSlots = false;
      for (int i = from; i < to; i++) {
        int iovec = iovecs + i * IOVEC_SIZE;
        memory.putLong(iovec, dataAddress + batch.offset(i));
        memory.putLong(iovec + 8, batch.length(i));
      }
    }

    void pointAtSlots(PacketBatch batch) {
      if (atSlots) {
        return;
      }
      int slot = batch.slotSize();
      for (int i = 0; i < batch.maxPackets(); i++) {
        int iovec = iovecs + i * IOVEC_SIZE;
        memory.putLong(iovec, dataAddress + (long) i * slot);
        memory.putLong(iovec + 8, slot);
      }
      atSlots = true;
    }

    /**
     * Records the lengths of the {@code count} packets received. After the end of stream every
     * further slot reads as another empty packet, so a run of them at the end is one end of stream.
     */
    void collect(PacketBatch batch, int count) {
      int last = count;
      while (last > 0 && memory.getInt((last - 1) * MMSGHDR_SIZE + MSG_LEN) == 0) {
        last--;
      }
      for (int i = 0; i < last; i++) {
        int length = memory.getInt(i * MMSGHDR_SIZE + MSG_LEN);
        batch.received(length == 0 ? -1 : length);
      }
      if (last < count) {
        batch.received(-1);
      }
    }
  }

  /**
   * Stops every use of the descriptor before junixsocket closes it: wakes blocked calls with
   * shutdown(2) and waits (briefly) for those in flight, so that none reaches a descriptor number
   * the system may already have given to another file.
   */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (callsInFlight.get() == 0) {
      return;
    }
    if (shutdown(newCapture(), fd) != 0) {
      log.debug("shutdown({}) failed", fd);
    }
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (callsInFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  private void enter() throws AsynchronousCloseException {
    callsInFlight.incrementAndGet();
    if (closed) {
      callsInFlight.decrementAndGet();
      throw new AsynchronousCloseException();
    }
  }

  private void exit() {
    callsInFlight.decrementAndGet();
  }

  private IOException failure(String what, int errno) {
    if (closed || errno == EBADF || errno == ENOTCONN) {
      AsynchronousCloseException closedException = new AsynchronousCloseException();
      closedException.initCause(new SocketException(what + " " + peerAddress + ": errno " + errno));
      return closedException;
    }
    return new SocketException(what + " " + peerAddress + " failed: errno " + errno);
  }

  static long address(ByteBuffer buffer) {
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("the FFM fast path takes direct buffers only");
    }
    try {
      return (long) ADDRESS.invokeExact(buffer);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  // The downcalls. invokeExact declares Throwable; these throw only unchecked exceptions.

  private static long send(Object capture, int fd, long address, int length) {
    try {
      return (long) SEND.invokeExact(capture, fd, address, (long) length, 0);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static long recv(Object capture, int fd, long address, int length) {
    try {
      return (long) RECV.invokeExact(capture, fd, address, (long) length, 0);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static int sendmmsg(Object capture, int fd, long headers, int count) {
    try {
      return (int) SENDMMSG.invokeExact(capture, fd, headers, count, 0);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static int recvmmsg(Object capture, int fd, long headers, int count, int flags) {
    try {
      return (int) RECVMMSG.invokeExact(capture, fd, headers, count, flags, 0L);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static int recvmmsg(int fd, long headers, int count) {
    try {
      return (int) RECVMMSG_UNCAPTURED.invokeExact(fd, headers, count, MSG_WAITFORONE, 0L);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static long mmap(int length) {
    try {
      return (long) MMAP.invokeExact(0L, (long) length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0L);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static int munmap(long address, long length) {
    try {
      return (int) MUNMAP.invokeExact(address, length);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static int madvise(long address, long length, int advice) {
    try {
      return (int) MADVISE.invokeExact(address, length, advice);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static int pageSize(MethodHandle getpagesize) {
    try {
      return (int) getpagesize.invokeExact();
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static int setsockopt(Object capture, int fd, int option, long timeval) {
    try {
      return (int) SETSOCKOPT.invokeExact(capture, fd, SOL_SOCKET, option, timeval, 16);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static int shutdown(Object capture, int fd) {
    try {
      return (int) SHUTDOWN.invokeExact(capture, fd, SHUT_RDWR);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static int errno(Object capture) {
    try {
      return (int) ERRNO.invokeExact(capture);
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static Object newCapture() {
    try {
      return (Object) NEW_CAPTURE.invokeExact();
    } catch (Throwable e) {
      throw unexpected(e);
    }
  }

  private static RuntimeException unexpected(Throwable e) {
    if (e instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (e instanceof Error error) {
      throw error;
    }
    return new IllegalStateException(e);
  }

  /**
   * Builds the handles through the FFM API by reflection: SEND, RECV, SENDMMSG, RECVMMSG,
   * SETSOCKOPT, SHUTDOWN, ERRNO, NEW_CAPTURE, ADDRESS, MMAP, MUNMAP, MADVISE, WRAP, getpagesize
   * (read once, into PAGE) and RECVMMSG_UNCAPTURED, in that order.
   */
  private static MethodHandle[] linkHandles() throws Throwable {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
    Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
    Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
    Class<?> valueLayoutClass = Class.forName("java.lang.foreign.ValueLayout");
    Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
    Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
    Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
    Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
    Class<?> allocatorClass = Class.forName("java.lang.foreign.SegmentAllocator");
    Class<?> pathClass = Class.forName("java.lang.foreign.MemoryLayout$PathElement");

    Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
    Object symbols = linkerClass.getMethod("defaultLookup").invoke(linker);
    Object intLayout = valueLayoutClass.getField("JAVA_INT").get(null);
    Object longLayout = valueLayoutClass.getField("JAVA_LONG").get(null);
    Object addressLayout = valueLayoutClass.getField("ADDRESS").get(null);
    long pointerSize = (long) layoutClass.getMethod("byteSize").invoke(addressLayout);
    if (pointerSize != 8 || !System.getProperty("os.name", "").startsWith("Linux")) {
      throw new UnsupportedOperationException("the fast path knows the struct layouts of 64-bit Linux only");
    }

    Object captureOption = optionClass.getMethod("captureCallState", String[].class)
        .invoke(null, (Object) new String[] {"errno"});
    Object options = Array.newInstance(optionClass, 1);
    Array.set(options, 0, captureOption);
    Method downcall = linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass, options.getClass());
    Method find = lookupClass.getMethod("find", String.class);
    Method describe = descriptorClass.getMethod("of", layoutClass, Array.newInstance(layoutClass, 0).getClass());

    // Pointers are passed as longs: on the 64-bit ABIs this runs on they travel in the same
    // registers, and the handle types then need no FFM class.
    MethodType io = MethodType.methodType(long.class, Object.class, int.class, long.class, long.class, int.class);
    MethodHandle send = link(linker, symbols, find, describe, downcall, options, "send", layoutClass,
        longLayout, intLayout, longLayout, longLayout, intLayout).asType(io);
    MethodHandle recv = link(linker, symbols, find, describe, downcall, options, "recv", layoutClass,
        longLayout, intLayout, longLayout, longLayout, intLayout).asType(io);
    MethodHandle sendmmsg = link(linker, symbols, find, describe, downcall, options, "sendmmsg", layoutClass,
        intLayout, intLayout, longLayout, intLayout, intLayout)
        .asType(MethodType.methodType(int.class, Object.class, int.class, long.class, int.class, int.class));
    MethodHandle recvmmsg = link(linker, symbols, find, describe, downcall, options, "recvmmsg", layoutClass,
        intLayout, intLayout, longLayout, intLayout, intLayout, longLayout)
        .asType(MethodType.methodType(int.class, Object.class, int.class, long.class, int.class, int.class, long.class));
    MethodHandle setsockopt = link(linker, symbols, find, describe, downcall, options, "setsockopt", layoutClass,
        intLayout, intLayout, intLayout, intLayout, longLayout, intLayout)
        .asType(MethodType.methodType(int.class, Object.class, int.class, int.class, int.class, long.class, int.class));
    MethodHandle recvmmsgUncaptured = link(linker, symbols, find, describe, downcall, Array.newInstance(optionClass, 0),
        "recvmmsg", layoutClass, intLayout, intLayout, longLayout, intLayout, intLayout, longLayout)
        .asType(MethodType.methodType(int.class, int.class, long.class, int.class, int.class, long.class));
    MethodHandle shutdown = link(linker, symbols, find, describe, downcall, options, "shutdown", layoutClass,
        intLayout, intLayout, intLayout)
        .asType(MethodType.methodType(int.class, Object.class, int.class, int.class));

    Object stateLayout = optionClass.getMethod("captureStateLayout").invoke(null);
    Object errnoPath = pathClass.getMethod("groupElement", String.class).invoke(null, "errno");
    Object path = Array.newInstance(pathClass, 1);
    Array.set(path, 0, errnoPath);
    VarHandle errnoHandle = (VarHandle) layoutClass.getMethod("varHandle", path.getClass())
        .invoke(stateLayout, path);
    MethodHandle errno = errnoHandle.toMethodHandle(VarHandle.AccessMode.GET);
    if (errno.type().parameterCount() == 2) {
      errno = MethodHandles.insertArguments(errno, 1, 0L);  // the base offset coordinate of JDK 22+
    }
    errno = errno.asType(MethodType.methodType(int.class, Object.class));

    // Arena.ofAuto().allocate(stateSize): each capture in an arena of its own, freed once the
    // capture (and so the channel holding it) is unreachable; one arena for all would keep every
    // capture ever made.
    long stateSize = (long) layoutClass.getMethod("byteSize").invoke(stateLayout);
    MethodHandle allocate = lookup.findVirtual(allocatorClass, "allocate",
        MethodType.methodType(segmentClass, long.class));
    MethodHandle ofAutoArena = lookup.findStatic(arenaClass, "ofAuto", MethodType.methodType(arenaClass));
    MethodHandle newCapture = MethodHandles.insertArguments(allocate, 1, stateSize);
    newCapture = MethodHandles.collectArguments(newCapture, 0, ofAutoArena.asType(MethodType.methodType(allocatorClass)))
        .asType(MethodType.methodType(Object.class));

    MethodHandle ofBuffer = lookup.findStatic(segmentClass, "ofBuffer", MethodType.methodType(segmentClass, Buffer.class));
    MethodHandle address = lookup.findVirtual(segmentClass, "address", MethodType.methodType(long.class));
    MethodHandle bufferAddress = MethodHandles.filterReturnValue(ofBuffer, address)
        .asType(MethodType.methodType(long.class, ByteBuffer.class));

    MethodHandle[] memory = linkMemoryHandles(linker, symbols, find, describe, downcall,
        Array.newInstance(optionClass, 0), layoutClass, intLayout, longLayout, segmentClass, arenaClass, ofAutoArena);

    return new MethodHandle[] {send, recv, sendmmsg, recvmmsg, setsockopt, shutdown, errno, newCapture, bufferAddress,
        memory[0], memory[1], memory[2], memory[3], memory[4], recvmmsgUncaptured};
  }

  /**
   * MMAP, MUNMAP, MADVISE, WRAP (for {@link #mapLazily}) and getpagesize(3), linked without
   * capturing errno (none of their callers reads it).
   */
  private static MethodHandle[] linkMemoryHandles(Object linker, Object symbols, Method find, Method describe,
      Method downcall, Object options, Class<?> layoutClass, Object intLayout, Object longLayout, Class<?> segmentClass,
      Class<?> arenaClass, MethodHandle ofAuto) throws Exception {
    MethodHandle mmap = link(linker, symbols, find, describe, downcall, options, "mmap", layoutClass,
        longLayout, longLayout, longLayout, intLayout, intLayout, intLayout, longLayout)
        .asType(MethodType.methodType(long.class, long.class, long.class, int.class, int.class, int.class, long.class));
    MethodHandle munmap = link(linker, symbols, find, describe, downcall, options, "munmap", layoutClass,
        intLayout, longLayout, longLayout)
        .asType(MethodType.methodType(int.class, long.class, long.class));
    MethodHandle madvise = link(linker, symbols, find, describe, downcall, options, "madvise", layoutClass,
        intLayout, longLayout, longLayout, intLayout)
        .asType(MethodType.methodType(int.class, long.class, long.class, int.class));
    MethodHandle getpagesize = link(linker, symbols, find, describe, downcall, options, "getpagesize", layoutClass,
        intLayout).asType(MethodType.methodType(int.class));

    // MemorySegment.ofAddress(address).reinterpret(length, Arena.ofAuto(), cleanup).asByteBuffer()
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    MethodHandle ofAddress = lookup.findStatic(segmentClass, "ofAddress", MethodType.methodType(segmentClass, long.class));
    // reinterpret is caller-sensitive (a restricted method): a public lookup may not bind it.
    MethodHandle reinterpret = MethodHandles.lookup().findVirtual(segmentClass, "reinterpret",
        MethodType.methodType(segmentClass, long.class, arenaClass, Consumer.class));
    MethodHandle asByteBuffer = lookup.findVirtual(segmentClass, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
    MethodHandle wrap = MethodHandles.filterArguments(reinterpret, 0, ofAddress);
    wrap = MethodHandles.collectArguments(wrap, 2, ofAuto);
    wrap = MethodHandles.filterReturnValue(wrap, asByteBuffer)
        .asType(MethodType.methodType(ByteBuffer.class, long.class, long.class, Consumer.class));
    return new MethodHandle[] {mmap, munmap, madvise, wrap, getpagesize};
  }

  private static MethodHandle link(Object linker, Object symbols, Method find, Method describe, Method downcall,
      Object options, String function, Class<?> layoutClass, Object result, Object... arguments) throws Exception {
    Optional<?> symbol = (Optional<?>) find.invoke(symbols, function);
    if (symbol.isEmpty()) {
      throw new NoSuchMethodException("no C function " + function + " in the default library");
    }
    Object argumentLayouts = Array.newInstance(layoutClass, arguments.length);
    for (int i = 0; i < arguments.length; i++) {
      Array.set(argumentLayouts, i, arguments[i]);
    }
    Object descriptor = describe.invoke(null, result, argumentLayouts);
    return (MethodHandle) downcall.invoke(linker, symbol.get(), descriptor, options);
  }
}
