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
import java.nio.ReadOnlyBufferException;
import java.nio.channels.AsynchronousCloseException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.BrokenPipeSocketException;
import org.newsclub.net.unix.ConnectionResetSocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fast path of {@link UnixSeqPacketChannel} on JDK 22 and later: send(2) and recv(2) called
 * directly on the socket's descriptor through the Foreign Function &amp; Memory API, one downcall
 * per packet, for direct buffers. junixsocket's channel costs about a microsecond more per call
 * (interruptible-channel bookkeeping, two lambdas allocated, JNI) and this is the socket's hot
 * path on both sides; the kernel work is the same.
 *
 * <p>The library is compiled for Java 17, where the FFM API does not exist, so the downcall handles
 * are built by reflection once, and called with {@code invokeExact} on constant handles whose types
 * hold only {@code int}, {@code long} and {@code Object}: the JIT inlines them like direct calls.
 * On JDK 17 to 21, when {@code -Dtracereplay.foreign=false} is set, or when native access is
 * denied, {@link #AVAILABLE} is false and the channel keeps junixsocket's calls.
 *
 * <p>Behaviour matches the junixsocket path: the socket stays in blocking mode, the kernel
 * timeouts set through junixsocket (SO_RCVTIMEO/SO_SNDTIMEO) apply, and an expired one reads as
 * EAGAIN, reported here as a {@link SocketTimeoutException} without the end-of-stream ambiguity;
 * {@link #receive} with {@code dontWait} uses MSG_DONTWAIT instead of switching the socket to
 * non-blocking mode. The descriptor is never used after {@link #close}: calls in flight are
 * counted and the close waits for them, after a shutdown(2) has woken any blocked one.
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
  private static final int SHUT_RDWR = 2;

  /** Whether the fast path can be used in this JVM. */
  static final boolean AVAILABLE;

  /** {@code ssize_t send(int, const void *, size_t, int)}: (capture, fd, address, length, flags) long. */
  private static final MethodHandle SEND;
  /** {@code ssize_t recv(int, void *, size_t, int)}: (capture, fd, address, length, flags) long. */
  private static final MethodHandle RECV;
  /** {@code int shutdown(int, int)}: (capture, fd, how) int. */
  private static final MethodHandle SHUTDOWN;
  /** errno as captured by the last call: (capture) int. */
  private static final MethodHandle ERRNO;
  /** A new capture-state segment for one thread's calls: () Object. */
  private static final MethodHandle NEW_CAPTURE;
  /** The address of a direct buffer's position: (ByteBuffer) long. */
  private static final MethodHandle ADDRESS;

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
    SHUTDOWN = AVAILABLE ? handles[2] : null;
    ERRNO = AVAILABLE ? handles[3] : null;
    NEW_CAPTURE = AVAILABLE ? handles[4] : null;
    ADDRESS = AVAILABLE ? handles[5] : null;
  }

  private final int fd;
  private final String peerAddress;
  private final Object sendCapture;
  private final Object receiveCapture;
  private final AtomicInteger callsInFlight = new AtomicInteger();
  private volatile boolean closed;

  // Each side's last buffer and its base address, so the address is looked up once per buffer.
  private ByteBuffer sendBuffer;
  private long sendBase;
  private ByteBuffer receiveBuffer;
  private long receiveBase;

  private ForeignSocketIo(int fd, String peerAddress) throws Throwable {
    this.fd = fd;
    this.peerAddress = peerAddress;
    this.sendCapture = (Object) NEW_CAPTURE.invokeExact();
    this.receiveCapture = (Object) NEW_CAPTURE.invokeExact();
  }

  /** The fast path for the connected socket with this descriptor, or null when not available. */
  static ForeignSocketIo forDescriptor(int fd, String peerAddress) {
    if (!AVAILABLE || fd < 0) {
      return null;
    }
    try {
      return new ForeignSocketIo(fd, peerAddress);
    } catch (Throwable e) {
      log.debug("Cannot use the FFM fast path for {}", peerAddress, e);
      return null;
    }
  }

  /** Sends the direct buffer's remaining bytes as one packet; as {@link SeqPacketChannel#send}. */
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
        long sent = (long) SEND.invokeExact(sendCapture, fd, sendBase + position, (long) length, 0);
        if (sent >= 0) {
          packet.position(position + (int) sent);
          return;
        }
        int errno = (int) ERRNO.invokeExact(sendCapture);
        switch (errno) {
          case EINTR -> { }
          case EAGAIN -> throw new SocketTimeoutException("sending to " + peerAddress + " timed out after "
              + timeoutMillis + " ms: the peer is not reading");
          case EPIPE -> throw new PeerClosedException("the peer at " + peerAddress + " has closed the connection",
              new BrokenPipeSocketException("Broken pipe"));
          case ECONNRESET -> throw new PeerClosedException("the peer at " + peerAddress
              + " has closed the connection", new ConnectionResetSocketException("Connection reset by peer"));
          case EMSGSIZE -> throw new SocketException("sending a packet of " + length + " bytes to " + peerAddress
              + " failed: Message too long (larger than the socket's send buffer)");
          default -> throw failure("sending to", errno);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    } finally {
      exit();
    }
  }

  /**
   * Receives one packet into the direct buffer; as {@link SeqPacketChannel#receive}, or, with
   * {@code dontWait}, as {@link SeqPacketChannel#tryReceive} (0 when nothing is queued).
   */
  int receive(ByteBuffer dst, boolean dontWait, int timeoutMillis) throws IOException {
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
      while (true) {
        long received = (long) RECV.invokeExact(receiveCapture, fd, receiveBase + position, (long) space,
            dontWait ? MSG_DONTWAIT : 0);
        if (received > 0) {
          dst.position(position + (int) received);
          return (int) received;
        }
        if (received == 0) {
          return -1;  // the peer closed, or sent an empty packet: the same on SOCK_SEQPACKET
        }
        int errno = (int) ERRNO.invokeExact(receiveCapture);
        switch (errno) {
          case EINTR -> { }
          case EAGAIN -> {
            if (dontWait) {
              return 0;
            }
            throw new SocketTimeoutException("receiving from " + peerAddress + " timed out after "
                + timeoutMillis + " ms");
          }
          case ECONNRESET -> {
            return -1;  // the peer closed with packets of ours unread: for a receiver, the end of stream
          }
          default -> throw failure("receiving from", errno);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    } finally {
      exit();
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
    try {
      Object capture = (Object) NEW_CAPTURE.invokeExact();
      int ignored = (int) SHUTDOWN.invokeExact(capture, fd, SHUT_RDWR);
    } catch (Throwable e) {
      log.debug("shutdown({}) failed", fd, e);
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

  private static long address(ByteBuffer buffer) {
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("the FFM fast path takes direct buffers only");
    }
    try {
      return (long) ADDRESS.invokeExact(buffer);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Builds the handles through the FFM API by reflection: SEND, RECV, SHUTDOWN, ERRNO, NEW_CAPTURE,
   * ADDRESS, in that order.
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

    Object autoArena = arenaClass.getMethod("ofAuto").invoke(null);
    long stateSize = (long) layoutClass.getMethod("byteSize").invoke(stateLayout);
    MethodHandle allocate = lookup.findVirtual(allocatorClass, "allocate",
        MethodType.methodType(segmentClass, long.class));
    MethodHandle newCapture = MethodHandles.insertArguments(allocate, 0, autoArena, stateSize)
        .asType(MethodType.methodType(Object.class));

    MethodHandle ofBuffer = lookup.findStatic(segmentClass, "ofBuffer", MethodType.methodType(segmentClass, Buffer.class));
    MethodHandle address = lookup.findVirtual(segmentClass, "address", MethodType.methodType(long.class));
    MethodHandle bufferAddress = MethodHandles.filterReturnValue(ofBuffer, address)
        .asType(MethodType.methodType(long.class, ByteBuffer.class));

    return new MethodHandle[] {send, recv, shutdown, errno, newCapture, bufferAddress};
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
