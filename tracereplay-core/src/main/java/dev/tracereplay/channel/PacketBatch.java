package dev.tracereplay.channel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable set of packets for one batched {@link SeqPacketChannel#send(PacketBatch) send} or
 * {@link SeqPacketChannel#receive(PacketBatch) receive}: one direct buffer holding the packets,
 * and each packet's offset and length in it. Nothing is allocated per packet or per call, so one
 * batch serves a whole session.
 *
 * <p>The buffer has room for {@link #maxPackets()} slots of {@link #slotSize()} bytes each:
 *
 * <ul>
 *   <li><b>Sending</b>: {@link #add(ByteBuffer)} copies packets in back to back, so a batch holds
 *       up to {@code maxPackets} packets of any sizes that fit in {@link #capacity()} together; a
 *       send moves {@link #position()} past the packets it has handed to the kernel.
 *   <li><b>Receiving</b>: packet {@code i} lands in slot {@code i}; one longer than a slot is cut
 *       to the slot, silently, as {@link SeqPacketChannel#receive(ByteBuffer)} cuts a packet to the
 *       space offered. To enforce a limit, make the slot one byte larger than the largest packet
 *       accepted and treat a full slot as too big.
 * </ul>
 *
 * <p>On the JDK 22+ fast path of {@link UnixSeqPacketChannel}, a batch of 1 MiB or more lives in
 * memory the system provides page by page as packets are first written into it (an anonymous
 * mapping), so slots sized for the largest packet allowed cost only what the packets received
 * use, and {@link #clear()} (also the start of every receive) gives back the pages that packets of
 * over 64 KiB used beyond their first 64 KiB. Elsewhere the buffer is a direct buffer of the whole
 * capacity, allocated at once.
 *
 * <p>Not thread-safe: one thread fills or reads a batch at a time, and a batch is not used while
 * a call on it runs.
 */
public final class PacketBatch {
  /** The most packets one batch holds: the kernel takes at most 1024 per sendmmsg or recvmmsg. */
  public static final int MAX_PACKETS = 1024;

  /** The capacity from which a batch's memory is mapped lazily where the fast path allows. */
  static final int LAZY_CAPACITY = 1 << 20;

  private final int maxPackets;
  private final int slotSize;
  private final ByteBuffer buffer;
  private final int[] offsets;
  private final int[] lengths;
  // Two views of the buffer, reused: one handed to callers, one for the channels' own use.
  private final ByteBuffer view;
  private final ByteBuffer channelView;
  /**
   * Each slot's own read-only view, what {@link #packet} returns after a receive: all made at the
   * batch's first receive, so that handing out a packet never takes a branch that a JIT's profile
   * may not have seen (a warm-up's batches fill only their first slots; a slot first used later
   * would send the compiled receive path back to the interpreter).
   */
  private ByteBuffer[] slotViews;
  private boolean holdsReceived;
  private int size;
  private int position;
  private int end;
  /** The native message headers of the FFM path, made on its first use of this batch. */
  Object nativeHeaders;
  /** Whether the buffer is a lazily provided mapping, whose pages can be given back. */
  final boolean lazilyMapped;

  /**
   * A batch of {@code maxPackets} slots of {@code slotSize} bytes, in one direct buffer of
   * {@code maxPackets * slotSize} bytes.
   *
   * @throws IllegalArgumentException when {@code maxPackets} is not in 1 to {@link #MAX_PACKETS},
   *     {@code slotSize} is below 1, or the buffer would be over 2 GiB
   */
  public PacketBatch(int maxPackets, int slotSize) {
    if (maxPackets < 1 || maxPackets > MAX_PACKETS) {
      throw new IllegalArgumentException("maxPackets must be in 1 to " + MAX_PACKETS + ", was " + maxPackets);
    }
    if (slotSize < 1) {
      throw new IllegalArgumentException("slotSize must be positive, was " + slotSize);
    }
    long capacity = (long) maxPackets * slotSize;
    if (capacity > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxPackets * slotSize must be under 2 GiB, was " + capacity + " bytes");
    }
    this.maxPackets = maxPackets;
    this.slotSize = slotSize;
    ByteBuffer mapped = capacity >= LAZY_CAPACITY ? ForeignSocketIo.mapLazily((int) capacity) : null;
    this.lazilyMapped = mapped != null;
    this.buffer = lazilyMapped ? mapped : ByteBuffer.allocateDirect((int) capacity);
    this.offsets = new int[maxPackets];
    this.lengths = new int[maxPackets];
    this.view = buffer.asReadOnlyBuffer();
    this.channelView = buffer.duplicate();
  }

  /** The most packets this batch holds. */
  public int maxPackets() {
    return maxPackets;
  }

  /** The bytes of one receive slot: a longer packet received is cut to this. */
  public int slotSize() {
    return slotSize;
  }

  /** The bytes the batch holds in all: {@code maxPackets() * slotSize()}. */
  public int capacity() {
    return buffer.capacity();
  }

  /** The packets in the batch: added for sending, or received by the last receive. */
  public int size() {
    return size;
  }

  /** Whether the batch holds no packet. */
  public boolean isEmpty() {
    return size == 0;
  }

  /**
   * The index of the first packet not sent yet: 0 after {@link #clear()}, {@link #size()} after a
   * send that succeeded, and after a send that failed, the number of packets it sent first.
   */
  public int position() {
    return position;
  }

  /**
   * Empties the batch: no packets, position 0. Where the batch's memory is mapped lazily, the
   * pages that packets of over 64 KiB used beyond their first 64 KiB are given back to the system.
   */
  public void clear() {
    if (lazilyMapped && size > 0) {
      ForeignSocketIo.releaseLargePackets(this);
    }
    size = 0;
    position = 0;
    end = 0;
    holdsReceived = false;
  }

  /**
   * Copies the bytes between {@code packet}'s position and limit into the batch as its next
   * packet; {@code packet} itself is left as it was.
   *
   * @return false, adding nothing, when the batch already holds {@link #maxPackets()} packets or
   *     the packet does not fit in the bytes left: send the batch, clear it and add again (a packet
   *     longer than {@link #capacity()} never fits: send it alone)
   */
  public boolean add(ByteBuffer packet) {
    int length = packet.remaining();
    if (size == maxPackets || length > buffer.capacity() - end) {
      return false;
    }
    buffer.put(end, packet, packet.position(), length);
    offsets[size] = end;
    lengths[size] = length;
    size++;
    end += length;
    return true;
  }

  /**
   * The length of packet {@code index}: the bytes added, or for a received packet, the bytes
   * stored (cut to {@link #slotSize()}), or -1 where the receive read the end of stream (the peer
   * closed, or sent a zero-length packet), as {@link SeqPacketChannel#receive(ByteBuffer)} does.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
   */
  public int length(int index) {
    return lengths[checkIndex(index)];
  }

  /**
   * Packet {@code index} between the returned buffer's position and limit (empty for an end of
   * stream), read-only, in little-endian order (the wire protocol's). A received packet is its
   * slot's own view, from position 0; an added one, a view at its offset in the batch. The views
   * are reused: one is valid until the next call to this method for another packet or to a method
   * that changes the batch.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
   */
  public ByteBuffer packet(int index) {
    checkIndex(index);
    if (!holdsReceived) {
      return select(view, index).order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer slot = slotViews[index];
    slot.limit(Math.max(0, lengths[index])).position(0);
    return slot.order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public String toString() {
    return "PacketBatch[" + size + " of " + maxPackets + " packets, position " + position + ", slots of "
        + slotSize + " bytes]";
  }

  // What the channels use: the buffer, each packet's place in it, and the results of their calls.

  ByteBuffer buffer() {
    return buffer;
  }

  int offset(int index) {
    return offsets[index];
  }

  /** Packet {@code index} as a view for sending, not the callers' view. */
  ByteBuffer packetToSend(int index) {
    return select(channelView, index);
  }

  /** Slot {@code index} as a view to receive into. */
  ByteBuffer slot(int index) {
    int start = index * slotSize;
    channelView.limit(start + slotSize).position(start);
    return channelView;
  }

  /** Marks the packets before {@code position} as sent. */
  void position(int position) {
    this.position = position;
  }

  /** Starts the batch's result of a receive: no packets. */
  void startReceive() {
    clear();
    holdsReceived = true;
    if (slotViews == null) {
      slotViews = new ByteBuffer[maxPackets];
      for (int i = 0; i < maxPackets; i++) {
        slotViews[i] = view.slice(i * slotSize, slotSize);
      }
    }
  }

  /** Records that slot {@code size()} received {@code length} bytes (-1: end of stream). */
  void received(int length) {
    offsets[size] = size * slotSize;
    lengths[size] = length;
    size++;
  }

  private ByteBuffer select(ByteBuffer target, int index) {
    int start = offsets[index];
    target.limit(start + Math.max(0, lengths[index])).position(start);
    return target;
  }

  private int checkIndex(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("packet " + index + " of a batch of " + size);
    }
    return index;
  }
}
