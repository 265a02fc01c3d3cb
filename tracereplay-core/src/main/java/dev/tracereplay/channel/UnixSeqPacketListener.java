package dev.tracereplay.channel;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.ConnectionRefusedSocketException;
import org.newsclub.net.unix.OperationNotSupportedSocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening AF_UNIX SOCK_SEQPACKET socket, on junixsocket, that is careful with the file system:
 *
 * <ul>
 *   <li>Nothing at the path is ever deleted except a stale socket, one whose connect is refused
 *       (ECONNREFUSED): a regular file, a directory, a symbolic link, a live server's socket or
 *       another program's SOCK_STREAM or SOCK_DGRAM socket is an error. The check never waits
 *       more than 2 seconds, also for a server that does not accept.
 *   <li>The socket file gets the configured permissions (owner only by default) before anyone can
 *       reach it: it is bound in a private directory next to the endpoint (through a short link
 *       in the temporary directory when that path would be too long for AF_UNIX), given its mode,
 *       put to listening, and then linked into place with link(2), which never replaces anything.
 *   <li>{@link #close()} removes the socket file, if it is still the one this listener created.
 * </ul>
 *
 * <p>junixsocket alone would do none of this: its bind makes the socket world-writable, deletes a
 * regular file in its way, and leaves the socket file behind on close.
 */
public final class UnixSeqPacketListener implements SeqPacketListener {
  private static final Logger log = LoggerFactory.getLogger(UnixSeqPacketListener.class);

  /** The longest socket path AF_UNIX takes: 108 bytes including the terminating NUL. */
  public static final int MAX_PATH_BYTES = 107;

  /** How long the check for a live server at the endpoint waits for a full queue of connections. */
  private static final int PROBE_TIMEOUT_MILLIS = 2000;
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private final Path endpoint;
  private final AFUNIXDatagramSocket socket;
  private final Object fileKey;
  private volatile boolean closed;

  /**
   * How the socket file is created.
   *
   * @param permissions the socket file's permissions; connecting needs write permission
   * @param backlog connections the kernel queues before accept
   */
  public record Options(Set<PosixFilePermission> permissions, int backlog) {

    public Options {
      permissions = Set.copyOf(Objects.requireNonNull(permissions, "permissions"));
      if (backlog < 1) {
        throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
      }
    }

    /** Owner-only permissions ({@code rw-------}) and a backlog of 128. */
    public static Options defaults() {
      return new Options(PosixFilePermissions.fromString("rw-------"), 128);
    }
  }

  private UnixSeqPacketListener(Path endpoint, AFUNIXDatagramSocket socket, Object fileKey) {
    this.endpoint = endpoint;
    this.socket = socket;
    this.fileKey = fileKey;
  }

  /** Binds with {@link Options#defaults()}. */
  public static UnixSeqPacketListener bind(Path endpoint) throws IOException {
    return bind(endpoint, Options.defaults());
  }

  /**
   * Creates the socket file at {@code endpoint} and listens on it.
   *
   * @throws FileAlreadyExistsException when something other than a stale socket is at the path
   *     (a live server's socket, of any type, included)
   * @throws IOException when the path is too long, its directory is missing, or binding fails
   */
  public static UnixSeqPacketListener bind(Path endpoint, Options options) throws IOException {
    int length = pathBytes(endpoint);
    if (length > MAX_PATH_BYTES) {
      throw new SocketException("the endpoint path " + endpoint + " is " + length
          + " bytes long; AF_UNIX socket paths hold at most " + MAX_PATH_BYTES + ". Use a shorter path.");
    }
    Path directory = endpoint.toAbsolutePath().getParent();
    if (!Files.isDirectory(directory)) {
      throw new NoSuchFileException(directory.toString(), null,
          "the directory of the endpoint " + endpoint + " does not exist; create it first");
    }
    removeStaleSocket(endpoint);
    // The socket is made in a private directory on the endpoint's file system, given its mode
    // there, and only then linked into place: link(2) never replaces anything, and junixsocket's
    // bind would delete a file in its way and make the socket world-writable.
    Path privateDirectory = Files.createTempDirectory(directory, ".tracereplay-", OWNER_ONLY_DIRECTORY);
    Path privateSocket = privateDirectory.resolve("s");
    Path alias = null;
    AFUNIXDatagramSocket socket = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
    try {
      Path bindPath = privateSocket;
      if (pathBytes(privateSocket) > MAX_PATH_BYTES) {
        alias = shortAlias(privateDirectory, endpoint);
        bindPath = alias.resolve("s");
      }
      socket.bind(AFUNIXSocketAddress.of(bindPath));
      Files.setPosixFilePermissions(privateSocket, options.permissions());
      socket.listen(options.backlog());
      try {
        Files.createLink(endpoint, privateSocket);
      } catch (FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(endpoint.toString(), null,
            "something was created at the endpoint while binding; nothing was replaced");
      }
      Object key = Files.readAttributes(endpoint, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      return new UnixSeqPacketListener(endpoint, socket, key);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    } finally {
      if (alias != null) {
        Files.deleteIfExists(alias);
      }
      Files.deleteIfExists(privateSocket);
      Files.deleteIfExists(privateDirectory);
    }
  }

  /**
   * A short path to the private directory, for an endpoint in a directory so deep that the socket
   * path inside it would not fit in AF_UNIX's 108 bytes: a symbolic link in the temporary
   * directory, which the kernel follows when binding. Created exclusively with a random name.
   */
  private static Path shortAlias(Path privateDirectory, Path endpoint) throws IOException {
    Path temporary = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    for (int attempt = 0; attempt < 100; attempt++) {
      Path alias = temporary.resolve(".tracereplay-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
      if (pathBytes(alias.resolve("s")) > MAX_PATH_BYTES) {
        break;
      }
      try {
        return Files.createSymbolicLink(alias, privateDirectory);
      } catch (FileAlreadyExistsException taken) {
        // Someone else's name: try another.
      }
    }
    throw new SocketException("cannot bind " + endpoint + " safely: its directory is so deep that the socket"
        + " path would not fit in AF_UNIX's " + MAX_PATH_BYTES + " bytes, and no short alias could be made"
        + " in " + temporary + ". Use an endpoint in a shorter directory.");
  }

  private static int pathBytes(Path path) {
    return path.toString().getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Deletes a stale socket file; refuses anything else that is in the way. Only a socket whose
   * connect is refused (ECONNREFUSED) is stale: a SOCK_STREAM or SOCK_DGRAM socket refuses a
   * SOCK_SEQPACKET connect with EPROTOTYPE though a program is using it.
   */
  private static void removeStaleSocket(Path endpoint) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(endpoint, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException nothingThere) {
      return;
    }
    String kind = fileKind(endpoint);
    if (!kind.equals("a socket")) {
      throw new FileAlreadyExistsException(endpoint.toString(), null,
          "the endpoint is " + kind + ", not a stale socket; it is left alone. Choose another"
              + " endpoint or remove it yourself");
    }
    try (UnixSeqPacketChannel probe = UnixSeqPacketChannel.open(endpoint, PROBE_TIMEOUT_MILLIS)) {
      throw inUse(endpoint, "a server is already listening on this endpoint");
    } catch (ConnectionRefusedSocketException refused) {
      Object now = Files.readAttributes(endpoint, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      if (!Objects.equals(now, attributes.fileKey())) {
        throw inUse(endpoint, "the socket file at the endpoint was replaced while it was checked");
      }
      log.info("Removing the stale socket file {}", endpoint);
      Files.deleteIfExists(endpoint);
    } catch (OperationNotSupportedSocketException otherType) {
      throw inUse(endpoint, "another program's socket of another type (SOCK_STREAM or SOCK_DGRAM) is bound"
          + " there");
    } catch (SocketTimeoutException full) {
      throw inUse(endpoint, "a server is listening on this endpoint but not accepting connections (its queue"
          + " of pending connections stayed full for " + PROBE_TIMEOUT_MILLIS + " ms)");
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException unknown) {
      throw new FileAlreadyExistsException(endpoint.toString(), null, "cannot tell whether the socket at the"
          + " endpoint is in use (connecting to it failed: " + unknown.getMessage() + "); it is left alone."
          + " Choose another endpoint or remove it yourself");
    }
  }

  private static FileAlreadyExistsException inUse(Path endpoint, String what) {
    return new FileAlreadyExistsException(endpoint.toString(), null, what + "; it is left alone. Stop that"
        + " program or choose another endpoint");
  }

  /** What is at the path, without following a link: "a socket", "a regular file", "nothing"... */
  static String fileKind(Path path) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attributes.isSymbolicLink() ? "a symbolic link" : attributes.isDirectory() ? "a directory"
          : attributes.isRegularFile() ? "a regular file" : isSocket(path) ? "a socket" : "a special file";
    } catch (NoSuchFileException e) {
      return "nothing";
    } catch (IOException e) {
      return "not readable (" + e.getMessage() + ")";
    }
  }

  private static boolean isSocket(Path path) throws IOException {
    Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return mode instanceof Integer bits && (bits & S_IFMT) == S_IFSOCK;
  }

  @Override
  public SeqPacketChannel accept() throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    AFUNIXDatagramSocket client;
    try {
      client = (AFUNIXDatagramSocket) socket.accept();
    } catch (IOException e) {
      if (closed) {
        ClosedChannelException closedException = new ClosedChannelException();
        closedException.initCause(e);
        throw closedException;
      }
      throw e;
    }
    String peer = endpoint.toString();
    try {
      peer = "pid " + client.getPeerCredentials().getPid() + " at " + endpoint;
    } catch (IOException | RuntimeException unknown) {
      // Credentials are only for messages.
    }
    return new UnixSeqPacketChannel(client, peer);
  }

  @Override
  public String address() {
    return endpoint.toString();
  }

  /** Where clients connect. */
  public Path endpoint() {
    return endpoint;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      socket.close();
    } finally {
      removeOwnSocketFile();
    }
  }

  /** Deletes the socket file, unless something else has been put at the path since. */
  private void removeOwnSocketFile() throws IOException {
    try {
      Object key = Files.readAttributes(endpoint, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      if (Objects.equals(key, fileKey)) {
        Files.deleteIfExists(endpoint);
      }
    } catch (NoSuchFileException alreadyGone) {
      // Nothing to remove.
    }
  }

  @Override
  public String toString() {
    return "UnixSeqPacketListener[" + endpoint + "]";
  }
}
