package dev.tracereplay.channel;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening AF_UNIX SOCK_SEQPACKET socket, on junixsocket, that is careful with the file system:
 *
 * <ul>
 *   <li>Nothing at the path is ever deleted except a stale socket (one nobody listens on): a
 *       regular file, a directory, a symbolic link or a live server's socket is an error.
 *   <li>The socket file gets the configured permissions (owner only by default) before anyone can
 *       reach it: it is bound in a private directory, given its mode, and then linked into place
 *       with link(2), which never replaces anything.
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

    /** These options with permissions from an octal mode such as {@code 0660} or {@code 660}. */
    public Options withMode(String octal) {
      int mode;
      try {
        mode = Integer.parseInt(octal, 8);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("socket mode must be octal like 0600, was '" + octal + "'");
      }
      if (mode < 0 || mode > 0777) {
        throw new IllegalArgumentException("socket mode must be between 0000 and 0777, was '" + octal + "'");
      }
      StringBuilder rwx = new StringBuilder();
      for (int shift = 6; shift >= 0; shift -= 3) {
        int bits = mode >> shift;
        rwx.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-')
            .append((bits & 1) != 0 ? 'x' : '-');
      }
      return new Options(PosixFilePermissions.fromString(rwx.toString()), backlog);
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
   * @throws FileAlreadyExistsException when something other than a stale socket is at the path,
   *     or a server is listening there
   * @throws IOException when the path is too long, its directory is missing, or binding fails
   */
  public static UnixSeqPacketListener bind(Path endpoint, Options options) throws IOException {
    int length = endpoint.toString().getBytes(StandardCharsets.UTF_8).length;
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
    Path privateDirectory = Files.createTempDirectory(directory, ".tracereplay-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path privateSocket = privateDirectory.resolve("s");
    AFUNIXDatagramSocket socket = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
    try {
      boolean linked = privateSocket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES;
      Path bound = linked ? privateSocket : endpoint;
      socket.bind(AFUNIXSocketAddress.of(bound));
      socket.listen(options.backlog());
      Files.setPosixFilePermissions(bound, options.permissions());
      if (linked) {
        try {
          Files.createLink(endpoint, privateSocket);
        } catch (FileAlreadyExistsException e) {
          throw new FileAlreadyExistsException(endpoint.toString(), null,
              "something was created at the endpoint while binding; nothing was replaced");
        }
      }
      Object key = Files.readAttributes(endpoint, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      return new UnixSeqPacketListener(endpoint, socket, key);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    } finally {
      Files.deleteIfExists(privateSocket);
      Files.deleteIfExists(privateDirectory);
    }
  }

  /** Deletes a socket file nobody listens on; refuses anything else that is in the way. */
  private static void removeStaleSocket(Path endpoint) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(endpoint, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException nothingThere) {
      return;
    }
    if (attributes.isSymbolicLink() || !isSocket(endpoint)) {
      String what = attributes.isSymbolicLink() ? "a symbolic link"
          : attributes.isDirectory() ? "a directory" : attributes.isRegularFile() ? "a regular file" : "not a socket";
      throw new FileAlreadyExistsException(endpoint.toString(), null,
          "the endpoint is " + what + ", not a stale socket; it is left alone. Choose another"
              + " endpoint or remove it yourself");
    }
    try (UnixSeqPacketChannel probe = UnixSeqPacketChannel.connect(endpoint)) {
      throw new FileAlreadyExistsException(endpoint.toString(), null,
          "a server is already listening on this endpoint; stop it or choose another endpoint");
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException refused) {
      log.info("Removing the stale socket file {}", endpoint);
      Files.deleteIfExists(endpoint);
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
