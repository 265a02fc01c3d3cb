package dev.tracereplay.wire;

/**
 * The kinds of trace point a message header can announce: gVisor's {@code gvisor.common.MessageType}
 * enum (generated here as {@link dev.tracereplay.points.common.GvisorMessageType}), without its
 * {@code MESSAGE_} prefix, and the payload message each one carries.
 *
 * <p>A header holds the type as a plain number, and senders add new numbers without a protocol
 * version bump, so code that reads headers keeps the number and treats a number this enum does
 * not know as "unknown", never as an error: see {@link #forNumber(int)}.
 */
public enum MessageType {
  CONTAINER_START(1, "gvisor.container.Start", Kind.EVENT),
  SENTRY_CLONE(2, "gvisor.sentry.CloneInfo", Kind.EVENT),
  SENTRY_EXEC(3, "gvisor.sentry.ExecveInfo", Kind.EVENT),
  SENTRY_EXIT_NOTIFY_PARENT(4, "gvisor.sentry.ExitNotifyParentInfo", Kind.EVENT),
  SENTRY_TASK_EXIT(5, "gvisor.sentry.TaskExit", Kind.EVENT),
  SYSCALL_RAW(6, "gvisor.syscall.Syscall", Kind.SYSCALL),
  SYSCALL_OPEN(7, "gvisor.syscall.Open", Kind.SYSCALL),
  SYSCALL_CLOSE(8, "gvisor.syscall.Close", Kind.SYSCALL),
  SYSCALL_READ(9, "gvisor.syscall.Read", Kind.SYSCALL),
  SYSCALL_CONNECT(10, "gvisor.syscall.Connect", Kind.SYSCALL),
  SYSCALL_EXECVE(11, "gvisor.syscall.Execve", Kind.SYSCALL),
  SYSCALL_SOCKET(12, "gvisor.syscall.Socket", Kind.SYSCALL),
  SYSCALL_CHDIR(13, "gvisor.syscall.Chdir", Kind.SYSCALL),
  SYSCALL_SETID(14, "gvisor.syscall.Setid", Kind.SYSCALL),
  SYSCALL_SETRESID(15, "gvisor.syscall.Setresid", Kind.SYSCALL),
  SYSCALL_PRLIMIT64(16, "gvisor.syscall.Prlimit", Kind.SYSCALL),
  SYSCALL_PIPE(17, "gvisor.syscall.Pipe", Kind.SYSCALL),
  SYSCALL_FCNTL(18, "gvisor.syscall.Fcntl", Kind.SYSCALL),
  SYSCALL_DUP(19, "gvisor.syscall.Dup", Kind.SYSCALL),
  SYSCALL_SIGNALFD(20, "gvisor.syscall.Signalfd", Kind.SYSCALL),
  SYSCALL_CHROOT(21, "gvisor.syscall.Chroot", Kind.SYSCALL),
  SYSCALL_EVENTFD(22, "gvisor.syscall.Eventfd", Kind.SYSCALL),
  SYSCALL_CLONE(23, "gvisor.syscall.Clone", Kind.SYSCALL),
  SYSCALL_BIND(24, "gvisor.syscall.Bind", Kind.SYSCALL),
  SYSCALL_ACCEPT(25, "gvisor.syscall.Accept", Kind.SYSCALL),
  SYSCALL_TIMERFD_CREATE(26, "gvisor.syscall.TimerfdCreate", Kind.SYSCALL),
  SYSCALL_TIMERFD_SETTIME(27, "gvisor.syscall.TimerfdSetTime", Kind.SYSCALL),
  SYSCALL_TIMERFD_GETTIME(28, "gvisor.syscall.TimerfdGetTime", Kind.SYSCALL),
  SYSCALL_FORK(29, "gvisor.syscall.Fork", Kind.SYSCALL),
  SYSCALL_INOTIFY_INIT(30, "gvisor.syscall.InotifyInit", Kind.SYSCALL),
  SYSCALL_INOTIFY_ADD_WATCH(31, "gvisor.syscall.InotifyAddWatch", Kind.SYSCALL),
  SYSCALL_INOTIFY_RM_WATCH(32, "gvisor.syscall.InotifyRmWatch", Kind.SYSCALL),
  SYSCALL_SOCKETPAIR(33, "gvisor.syscall.SocketPair", Kind.SYSCALL),
  SYSCALL_WRITE(34, "gvisor.syscall.Write", Kind.SYSCALL),
  SENTRY_MMAP(35, "gvisor.sentry.MmapInfo", Kind.EVENT),
  SYSCALL_MMAP(36, "gvisor.syscall.Mmap", Kind.SYSCALL),
  SYSCALL_LISTEN(37, "gvisor.syscall.Listen", Kind.SYSCALL),
  SYSCALL_PTRACE(38, "gvisor.syscall.Ptrace", Kind.SYSCALL);
  /** Whether a point is an event (printed as {@code Name => ...}) or a syscall (enter/exit). */
  public enum Kind {
    EVENT,
    SYSCALL
  }

  private static final MessageType[] BY_NUMBER = new MessageType[values().length + 1];

  static {
    for (MessageType type : values()) {
      BY_NUMBER[type.number] = type;
    }
  }

  private final int number;
  private final String payloadMessage;
  private final Kind kind;

  MessageType(int number, String payloadMessage, Kind kind) {
    this.number = number;
    this.payloadMessage = payloadMessage;
    this.kind = kind;
  }

  /** The number carried in the header's {@code message_type} field. */
  public int number() {
    return number;
  }

  /** The full protobuf name of the payload, e.g. {@code gvisor.syscall.Open}. */
  public String payloadMessage() {
    return payloadMessage;
  }

  /** The payload's simple message name, e.g. {@code Open}: what gVisor's example server prints. */
  public String payloadName() {
    return payloadMessage.substring(payloadMessage.lastIndexOf('.') + 1);
  }

  /** Whether this point is an event or a syscall. */
  public Kind kind() {
    return kind;
  }

  /**
   * The type with this header number, or {@code null} when the number is 0 (gVisor's
   * {@code MESSAGE_UNKNOWN}) or newer than this library: callers keep such messages raw.
   */
  public static MessageType forNumber(int number) {
    return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
  }

  /** A name for any header number: the constant's name, or {@code UNKNOWN(n)}. */
  public static String nameOf(int number) {
    MessageType type = forNumber(number);
    return type == null ? "UNKNOWN(" + number + ")" : type.name();
  }
}
