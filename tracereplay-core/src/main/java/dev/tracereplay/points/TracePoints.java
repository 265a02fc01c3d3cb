package dev.tracereplay.points;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.sentry.CloneInfo;
import dev.tracereplay.points.sentry.ExecveInfo;
import dev.tracereplay.points.sentry.ExitNotifyParentInfo;
import dev.tracereplay.points.sentry.MmapInfo;
import dev.tracereplay.points.sentry.TaskExit;
import dev.tracereplay.points.syscall.Accept;
import dev.tracereplay.points.syscall.Bind;
import dev.tracereplay.points.syscall.Chdir;
import dev.tracereplay.points.syscall.Chroot;
import dev.tracereplay.points.syscall.Clone;
import dev.tracereplay.points.syscall.Close;
import dev.tracereplay.points.syscall.Connect;
import dev.tracereplay.points.syscall.Dup;
import dev.tracereplay.points.syscall.Eventfd;
import dev.tracereplay.points.syscall.Execve;
import dev.tracereplay.points.syscall.Fcntl;
import dev.tracereplay.points.syscall.Fork;
import dev.tracereplay.points.syscall.InotifyAddWatch;
import dev.tracereplay.points.syscall.InotifyInit;
import dev.tracereplay.points.syscall.InotifyRmWatch;
import dev.tracereplay.points.syscall.Listen;
import dev.tracereplay.points.syscall.Mmap;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.points.syscall.Pipe;
import dev.tracereplay.points.syscall.Prlimit;
import dev.tracereplay.points.syscall.Ptrace;
import dev.tracereplay.points.syscall.Read;
import dev.tracereplay.points.syscall.Setid;
import dev.tracereplay.points.syscall.Setresid;
import dev.tracereplay.points.syscall.Signalfd;
import dev.tracereplay.points.syscall.Socket;
import dev.tracereplay.points.syscall.SocketPair;
import dev.tracereplay.points.syscall.Syscall;
import dev.tracereplay.points.syscall.TimerfdCreate;
import dev.tracereplay.points.syscall.TimerfdGetTime;
import dev.tracereplay.points.syscall.TimerfdSetTime;
import dev.tracereplay.points.syscall.Write;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one table from {@link MessageType} to the protobuf class of its payload, and back.
 *
 * <p>The header numbers live in {@link MessageType} only; this table lists the payload classes and
 * pairs each with the type whose {@link MessageType#payloadMessage()} is the class's full protobuf
 * name, checking when the class loads that every type has exactly one class.
 *
 * <p>All methods are static and thread-safe.
 */
public final class TracePoints {
  private static final List<Message> PAYLOADS = List.of(
      Start.getDefaultInstance(),
      CloneInfo.getDefaultInstance(),
      ExecveInfo.getDefaultInstance(),
      ExitNotifyParentInfo.getDefaultInstance(),
      TaskExit.getDefaultInstance(),
      MmapInfo.getDefaultInstance(),
      Syscall.getDefaultInstance(),
      Open.getDefaultInstance(),
      Close.getDefaultInstance(),
      Read.getDefaultInstance(),
      Connect.getDefaultInstance(),
      Execve.getDefaultInstance(),
      Socket.getDefaultInstance(),
      Chdir.getDefaultInstance(),
      Setid.getDefaultInstance(),
      Setresid.getDefaultInstance(),
      Prlimit.getDefaultInstance(),
      Pipe.getDefaultInstance(),
      Fcntl.getDefaultInstance(),
      Dup.getDefaultInstance(),
      Signalfd.getDefaultInstance(),
      Chroot.getDefaultInstance(),
      Eventfd.getDefaultInstance(),
      Clone.getDefaultInstance(),
      Bind.getDefaultInstance(),
      Accept.getDefaultInstance(),
      TimerfdCreate.getDefaultInstance(),
      TimerfdSetTime.getDefaultInstance(),
      TimerfdGetTime.getDefaultInstance(),
      Fork.getDefaultInstance(),
      InotifyInit.getDefaultInstance(),
      InotifyAddWatch.getDefaultInstance(),
      InotifyRmWatch.getDefaultInstance(),
      SocketPair.getDefaultInstance(),
      Write.getDefaultInstance(),
      Mmap.getDefaultInstance(),
      Listen.getDefaultInstance(),
      Ptrace.getDefaultInstance());

  private static final Map<MessageType, Message> BY_TYPE = new EnumMap<>(MessageType.class);
  private static final Map<Class<?>, MessageType> BY_CLASS = new HashMap<>();
  /** Every accepted spelling of a type name, upper-cased, for {@link #parseType}. */
  private static final Map<String, MessageType> BY_NAME = new HashMap<>();

  static {
    Map<String, MessageType> byPayloadName = Arrays.stream(MessageType.values())
        .collect(Collectors.toMap(MessageType::payloadMessage, type -> type));
    for (Message payload : PAYLOADS) {
      String name = payload.getDescriptorForType().getFullName();
      MessageType type = byPayloadName.get(name);
      if (type == null || BY_TYPE.put(type, payload) != null) {
        throw new IllegalStateException("payload class for " + name + " is not paired with exactly one MessageType");
      }
      BY_CLASS.put(payload.getClass(), type);
    }
    for (MessageType type : MessageType.values()) {
      if (!BY_TYPE.containsKey(type)) {
        throw new IllegalStateException("no payload class for " + type + " (" + type.payloadMessage() + ")");
      }
      BY_NAME.put(type.name(), type);
      BY_NAME.put("MESSAGE_" + type.name(), type);
      BY_NAME.put(type.payloadName().toUpperCase(Locale.ROOT), type);
      BY_NAME.put(Integer.toString(type.number()), type);
    }
  }

  private TracePoints() {}

  /** The default (empty) instance of the payload class of {@code type}, e.g. {@code Open.getDefaultInstance()}. */
  public static Message defaultInstance(MessageType type) {
    return BY_TYPE.get(type);
  }

  /** The parser of the payload class of {@code type}. */
  public static Parser<? extends Message> parser(MessageType type) {
    return BY_TYPE.get(type).getParserForType();
  }

  /** The payload class of {@code type}, e.g. {@code Open.class} for {@link MessageType#SYSCALL_OPEN}. */
  public static Class<? extends Message> payloadClass(MessageType type) {
    return BY_TYPE.get(type).getClass();
  }

  /**
   * The message type whose payload is {@code payloadClass}, e.g. {@link MessageType#SYSCALL_OPEN} for
   * {@code Open.class}.
   *
   * @throws IllegalArgumentException when the class is not the payload of a trace point (e.g.
   *     {@code ContextData} or {@code Exit})
   */
  public static MessageType typeOf(Class<? extends Message> payloadClass) {
    MessageType type = BY_CLASS.get(payloadClass);
    if (type == null) {
      throw new IllegalArgumentException(payloadClass.getName() + " is not the payload of a trace point;"
          + " payloads are the classes of " + BY_TYPE.values().stream()
              .map(payload -> payload.getClass().getSimpleName()).collect(Collectors.joining(", ")));
    }
    return type;
  }

  /**
   * Encodes one message packet: today's 8-byte header for the type of {@code payload} (see
   * {@link #typeOf}), followed by the payload's protobuf bytes. The packet is a new heap buffer
   * between position 0 and its limit.
   *
   * @param droppedCount the header's {@code dropped_count}, 0 to 2^32-1
   * @throws IllegalArgumentException when {@code payload} is not a trace point or the count is out of range
   */
  public static ByteBuffer encode(Message payload, long droppedCount) {
    MessageHeader header = MessageHeader.of(typeOf(payload.getClass()), droppedCount);
    ByteBuffer packet = ByteBuffer.allocate(MessageHeader.SIZE + payload.getSerializedSize())
        .order(ByteOrder.LITTLE_ENDIAN);
    header.writeTo(packet);
    payload.toByteString().copyTo(packet);
    return packet.flip();
  }

  /**
   * The type a user names, as on a command line: the {@link MessageType} constant ({@code SYSCALL_OPEN},
   * also with gVisor's {@code MESSAGE_} prefix), the payload's simple name ({@code open},
   * {@code cloneinfo}), or the header number ({@code 7}). Letter case does not matter; surrounding
   * spaces are ignored.
   *
   * @throws IllegalArgumentException when the name matches no type; its message lists the valid names
   */
  public static MessageType parseType(String name) {
    MessageType type = BY_NAME.get(name.strip().toUpperCase(Locale.ROOT));
    if (type == null) {
      throw new IllegalArgumentException("unknown message type \"" + name.strip() + "\"; valid are the payload"
          + " names " + Arrays.stream(MessageType.values()).map(t -> t.payloadName().toLowerCase(Locale.ROOT))
              .collect(Collectors.joining(", "))
          + ", the MessageType names (e.g. SYSCALL_OPEN) and the numbers 1-" + MessageType.values().length);
    }
    return type;
  }

  /**
   * The types of a comma-separated list of names, each as {@link #parseType} reads it, e.g.
   * {@code open,read,SENTRY_CLONE}.
   *
   * @throws IllegalArgumentException naming the first name that matches no type, or when the list is empty
   */
  public static Set<MessageType> parseTypes(String commaSeparatedNames) {
    EnumSet<MessageType> types = EnumSet.noneOf(MessageType.class);
    for (String name : commaSeparatedNames.split(",")) {
      if (!name.isBlank()) {
        types.add(parseType(name));
      }
    }
    if (types.isEmpty()) {
      throw new IllegalArgumentException("no message type named in \"" + commaSeparatedNames + "\"");
    }
    return Collections.unmodifiableSet(types);
  }
}
