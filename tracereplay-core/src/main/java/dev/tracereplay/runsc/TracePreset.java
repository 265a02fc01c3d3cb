package dev.tracereplay.runsc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A named set of trace points, so that a recording can be asked for without knowing runsc's point
 * names. A preset's points come with every context field each point offers (unless
 * {@link Sandbox#contextFields} says otherwise); {@link #ALL} also asks for every optional field.
 * Points a runsc does not offer (an older release) are left out of a preset.
 */
public enum TracePreset {
  /**
   * {@code files-and-processes}: the container's start, the process events of the sentry (clone,
   * execve, exit, task exit) and the enter and exit points of the system calls that open, read,
   * write, duplicate and close files and pipes, change directory, and start processes and change
   * their credentials or limits. The set the project's shell fixtures were recorded with, plus the
   * file calls they lacked. The default when a sandbox names neither points nor a preset.
   */
  FILES_AND_PROCESSES("files-and-processes"),

  /**
   * {@code all}: every point runsc lists, with every optional and context field. Large recordings;
   * with runsc 20221219 some system calls fail inside the sandbox when every point is enabled
   * ({@code ls /} answers "Invalid argument").
   */
  ALL("all");

  private static final List<String> PROCESS_EVENTS = List.of("container/start", "sentry/clone", "sentry/execve",
      "sentry/exit_notify_parent", "sentry/task_exit");
  private static final List<String> FILE_AND_PROCESS_SYSCALLS = List.of(
      "open", "openat", "creat", "read", "pread64", "readv", "write", "pwrite64", "writev", "close",
      "dup", "dup2", "dup3", "pipe", "pipe2", "fcntl", "chdir", "fchdir",
      "execve", "execveat", "clone", "fork", "vfork", "prlimit64", "setuid", "setgid", "setresuid", "setresgid",
      "setsid");

  private final String presetName;

  TracePreset(String presetName) {
    this.presetName = presetName;
  }

  /** The preset's name, as the command line's {@code --preset} and {@code @Runsc(preset = ...)} take it. */
  public String presetName() {
    return presetName;
  }

  /**
   * The preset called {@code name}.
   *
   * @throws IllegalArgumentException naming the presets there are, when none has that name
   */
  public static TracePreset named(String name) {
    for (TracePreset preset : values()) {
      if (preset.presetName.equals(name.strip().toLowerCase(Locale.ROOT))) {
        return preset;
      }
    }
    throw new IllegalArgumentException("unknown trace preset \"" + name + "\"; the presets are: " + names());
  }

  /** The presets' names, comma-separated. */
  public static String names() {
    return Arrays.stream(values()).map(TracePreset::presetName).collect(Collectors.joining(", "));
  }

  /** The names of the preset's points that {@code metadata}'s runsc offers. */
  public List<String> pointNames(RunscMetadata metadata) {
    return points(metadata).stream().map(RunscMetadata.Point::name).toList();
  }

  /** The preset's points that {@code metadata} offers, in runsc's order for {@link #ALL}. */
  List<RunscMetadata.Point> points(RunscMetadata metadata) {
    if (this == ALL) {
      return metadata.points();
    }
    List<String> names = new ArrayList<>(PROCESS_EVENTS);
    for (String syscall : FILE_AND_PROCESS_SYSCALLS) {
      names.add("syscall/" + syscall + "/enter");
      names.add("syscall/" + syscall + "/exit");
    }
    return names.stream().flatMap(name -> metadata.point(name).stream()).toList();
  }

  @Override
  public String toString() {
    return presetName;
  }
}
