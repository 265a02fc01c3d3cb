package dev.tracereplay.runsc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The points of a sandbox's trace session, resolved against what its runsc offers: presets
 * expanded, names checked (runsc ignores a name it does not know without a word), each point
 * with the optional and context fields it will ask for.
 */
final class TraceSession {
  private static final int NEAREST = 3;

  private TraceSession() {}

  /**
   * The session's points: those of {@code presets} (with every context field each offers, and for
   * {@link TracePreset#ALL} every optional field), then {@code points} (with no field), in that
   * order and each once; {@code contextFields}, when not null, replaces the context fields of every
   * point. Neither presets nor points: {@link TracePreset#FILES_AND_PROCESSES}.
   *
   * @throws UnknownTraceNameException for a point or context field runsc, or a chosen point, does not offer
   * @throws IllegalArgumentException for a blank name
   */
  static List<RunscMetadata.Point> resolve(Set<TracePreset> presets, List<String> points, List<String> contextFields,
      RunscMetadata metadata) {
    Map<String, RunscMetadata.Point> chosen = new LinkedHashMap<>();
    for (TracePreset preset : presets.isEmpty() && points.isEmpty() ? Set.of(TracePreset.FILES_AND_PROCESSES) : presets) {
      for (RunscMetadata.Point point : preset.points(metadata)) {
        List<String> optional = preset == TracePreset.ALL ? point.optionalFields() : List.of();
        chosen.putIfAbsent(point.name(), new RunscMetadata.Point(point.name(), optional, point.contextFields()));
      }
    }
    for (String name : points) {
      RunscMetadata.Point point = metadata.point(requireName("trace point", name)).orElseThrow(
          () -> new UnknownTraceNameException("trace point", name, nearest(name, metadata.pointNames()),
              metadata.points().size()));
      chosen.putIfAbsent(name, new RunscMetadata.Point(point.name(), List.of(), List.of()));
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("runsc offers none of the points of the presets " + presets);
    }
    if (contextFields == null) {
      return List.copyOf(chosen.values());
    }
    List<String> offered = metadata.contextFields();
    for (String field : contextFields) {
      if (!offered.contains(requireName("context field", field))) {
        throw new UnknownTraceNameException("context field", field, nearest(field, offered), offered.size());
      }
    }
    List<RunscMetadata.Point> session = new ArrayList<>();
    for (RunscMetadata.Point point : chosen.values()) {
      List<String> pointFields = metadata.point(point.name()).orElseThrow().contextFields();
      for (String field : contextFields) {
        if (!pointFields.contains(field)) {
          throw new UnknownTraceNameException("the trace point " + point.name() + " does not offer the context"
              + " field \"" + field + "\"; it offers: " + String.join(", ", pointFields), field, pointFields);
        }
      }
      session.add(new RunscMetadata.Point(point.name(), point.optionalFields(), contextFields));
    }
    return List.copyOf(session);
  }

  private static String requireName(String what, String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a " + what + " name must not be blank, was \"" + name + "\"");
    }
    return name;
  }

  /** The three names of {@code known} fewest edits away from {@code name}, nearest first. */
  static List<String> nearest(String name, Collection<String> known) {
    return known.stream()
        .sorted(Comparator.comparingInt((String candidate) -> editDistance(name, candidate)))
        .limit(NEAREST)
        .toList();
  }

  /** Levenshtein's distance: the fewest insertions, deletions and replacements from one to the other. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
