package dev.tracereplay.internal.record;

import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The directory recordings go to, and their names: {@code <prefix><NNNN>}, numbered from 0001 as
 * gVisor's tool does, but never reusing a name: numbering continues after the highest number
 * already in the directory, and each file is created exclusively, so a restarted or concurrent
 * recorder on the same directory never overwrites a recording.
 *
 * <p>Recordings are evidence, so the directory must be one that no other user can tamper with,
 * as ssh's StrictModes demands of a user's files: a directory created here is {@code rwx------}
 * whatever the umask (with read and search for group or others where the recordings are readable
 * by them, never write); an existing one (or the directory a symbolic
 * link there points to) is refused when it, or the link, is owned by another user than this
 * process's or root, or when it is writable by its group or others without the sticky bit. Each
 * recording gets exactly the file mode asked for ({@link TraceFileWriter#OWNER_ONLY} by default).
 * Thread-safe.
 */
public final class RecordingDirectory {
  private static final int MAX_ATTEMPTS = 10_000;
  private static final int GROUP_OR_OTHERS_WRITE = 0022;
  private static final int STICKY = 01000;

  private final Path directory;
  private final String prefix;
  private final Set<PosixFilePermission> fileMode;
  private long lastNumber;

  /** A directory of owner-only recordings; see {@link #RecordingDirectory(Path, String, Set)}. */
  public RecordingDirectory(Path directory, String prefix) throws IOException {
    this(directory, prefix, TraceFileWriter.OWNER_ONLY);
  }

  /**
   * Creates the directory if needed, or checks that no other user can tamper with the one there,
   * and finds where numbering continues.
   *
   * @param fileMode each recording's permissions: owner read and write, and any read or write bits
   *     for group and others
   * @throws IllegalArgumentException when the prefix is not a plain file name part (see
   *     {@link #prefixProblem}) or the file mode is not one described above
   * @throws FileSystemException naming the directory and saying why it is refused: not a
   *     directory, not writable, another user's, or writable by others
   */
  public RecordingDirectory(Path directory, String prefix, Set<PosixFilePermission> fileMode) throws IOException {
    String problem = prefixProblem(prefix);
    if (problem != null) {
      throw new IllegalArgumentException("the file name prefix " + problem);
    }
    this.directory = directory;
    this.prefix = prefix;
    this.fileMode = checkFileMode(fileMode);
    if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
      checkNobodyElseCanTamper(directory);
    } else {
      create(directory, directoryMode(this.fileMode));
    }
    this.lastNumber = highestNumber();
  }

  /**
   * What is wrong with a file name prefix, or {@code null} when it is fine: it must be a plain part
   * of a file name. E.g. {@code must be a plain file name part (no '/' or NUL, not '.' or '..'), was 'a/b'}.
   */
  public static String prefixProblem(String prefix) {
    if (prefix.contains("/") || prefix.contains("\0") || prefix.equals(".") || prefix.equals("..")) {
      return "must be a plain file name part (no '/' or NUL, not '.' or '..'), was '" + prefix + "'";
    }
    return null;
  }

  /**
   * The mode as a recording's: owner read and write, and any read or write bits for group and
   * others (e.g. {@code rw-r-----}); no execute bits.
   *
   * @return an immutable copy
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Set<PosixFilePermission> checkFileMode(Set<PosixFilePermission> mode) {
    if (!mode.containsAll(TraceFileWriter.OWNER_ONLY) || mode.stream().anyMatch(RecordingDirectory::isExecute)) {
      throw new IllegalArgumentException("a recording's mode must have owner read and write and no execute bits"
          + " (0600 to 0666), was " + PosixFilePermissions.toString(EnumSet.copyOf(mode)));
    }
    return Set.copyOf(mode);
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /** The file name prefix. */
  public String prefix() {
    return prefix;
  }

  /**
   * Creates the next recording file, exclusively, with its header and the directory's file mode.
   *
   * @throws IOException when the directory is not writable or full (the message names the path)
   */
  public TraceFileWriter createNext(TraceConfig config, int bufferSize) throws IOException {
    return createNext(file -> TraceFileWriter.create(file, config, bufferSize, fileMode));
  }

  /**
   * As {@link #createNext(TraceConfig, int)}, the writer writing through the caller's buffer (see
   * {@link TraceFileWriter#create(Path, TraceConfig, java.nio.ByteBuffer, Set)}); when this throws,
   * the buffer is the caller's again.
   */
  public TraceFileWriter createNext(TraceConfig config, java.nio.ByteBuffer buffer) throws IOException {
    return createNext(file -> TraceFileWriter.create(file, config, buffer, fileMode));
  }

  private interface Creator {
    TraceFileWriter create(Path file) throws IOException;
  }

  private TraceFileWriter createNext(Creator creator) throws IOException {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Path file = directory.resolve(String.format("%s%04d", prefix, nextNumber()));
      try {
        return creator.create(file);
      } catch (FileAlreadyExistsException taken) {
        // Another recorder (or anything else) got there first: try the next number.
      }
    }
    throw new IOException("could not find a free recording name in " + directory + " after "
        + MAX_ATTEMPTS + " attempts");
  }

  /**
   * The mode of a directory created for recordings of this mode: the owner's rwx, and read and
   * search for group or others where the recordings are readable by them, never write (a directory
   * others could write to would be refused the next time): rw-r----- gives rwxr-x---.
   */
  private static Set<PosixFilePermission> directoryMode(Set<PosixFilePermission> fileMode) {
    Set<PosixFilePermission> mode = EnumSet.copyOf(PosixFilePermissions.fromString("rwx------"));
    if (fileMode.contains(PosixFilePermission.GROUP_READ)) {
      mode.addAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE));
    }
    if (fileMode.contains(PosixFilePermission.OTHERS_READ)) {
      mode.addAll(Set.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
    }
    return mode;
  }

  /** Creates the directory (and missing parents) with exactly this mode, whatever the umask. */
  private static void create(Path directory, Set<PosixFilePermission> mode) throws IOException {
    Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(mode));
    Files.getFileAttributeView(directory, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setPermissions(mode);
  }

  /** As ssh's StrictModes: another user's directory, or one others may write to, is refused. */
  private static void checkNobodyElseCanTamper(Path directory) throws IOException {
    Map<String, Object> link = Files.readAttributes(directory, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
    if (isSymbolicLink(link)) {
      refuseAnotherOwner(directory, link, LinkOption.NOFOLLOW_LINKS, "is a symbolic link owned by",
          "they could point it elsewhere");
    }
    Map<String, Object> target = Files.readAttributes(directory, "unix:uid,mode");
    if (!Files.isDirectory(directory)) {
      throw new FileSystemException(directory.toString(), null, "the recording directory is a file, not a"
          + " directory");
    }
    String where = isSymbolicLink(link) ? "points to a directory" : "is";
    refuseAnotherOwner(directory, target, null, where + " owned by",
        "they could read, rename or replace the recordings");
    int mode = (Integer) target.get("mode");
    if ((mode & GROUP_OR_OTHERS_WRITE) != 0 && (mode & STICKY) == 0) {
      throw new FileSystemException(directory.toString(), null, "the recording directory " + where + " writable by"
          + " other users (mode " + String.format("%04o", mode & 07777) + ") without the sticky bit: they could"
          + " rename or replace the recordings. Take their write permission away (chmod go-w) or use another"
          + " directory");
    }
    if (!Files.isWritable(directory)) {
      throw new AccessDeniedException(directory.toString(), null, "the recording directory is not writable");
    }
  }

  private static void refuseAnotherOwner(Path directory, Map<String, Object> attributes, LinkOption link,
      String what, String risk) throws IOException {
    int owner = (Integer) attributes.get("uid");
    if (owner != 0 && owner != ProcessUser.UID) {
      String name = (link == null ? Files.getOwner(directory) : Files.getOwner(directory, link)).getName();
      throw new FileSystemException(directory.toString(), null, "the recording directory " + what + " user '"
          + name + "' (uid " + owner + "), not by this process's user (uid " + ProcessUser.UID + ") or root: "
          + risk + ". Use a directory of your own");
    }
  }

  private static boolean isSymbolicLink(Map<String, Object> attributes) {
    return ((Integer) attributes.get("mode") & 0170000) == 0120000;
  }

  private static boolean isExecute(PosixFilePermission permission) {
    return permission == PosixFilePermission.OWNER_EXECUTE || permission == PosixFilePermission.GROUP_EXECUTE
        || permission == PosixFilePermission.OTHERS_EXECUTE;
  }

  private synchronized long nextNumber() {
    return ++lastNumber;
  }

  private long highestNumber() throws IOException {
    long highest = 0;
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.startsWith(prefix)) {
          highest = Math.max(highest, number(name.substring(prefix.length())));
        }
      }
    }
    return highest;
  }

  /** The number a name ends with, or 0 when the rest of the name is not all digits. */
  private static long number(String digits) {
    if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
      return 0;
    }
    return Long.parseLong(digits);
  }

  /** The user this process runs as (its effective uid, the owner of {@code /proc/self}), read once. */
  private static final class ProcessUser {
    static final int UID = read();

    private static int read() {
      try {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("cannot tell which user this process runs as (/proc/self: " + e + ")", e);
      }
    }
  }
}
