package dev.tracereplay.runsc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which points, with which fields, a sandbox asks runsc for; checked against what runsc offers. */
class TraceSessionTest {
  private static final RunscMetadata METADATA = MetadataExcerpt.parsed();
  private static final List<String> EVERY_CONTEXT_FIELD = METADATA.contextFields();

  @Test
  void withoutPointsOrPresetTheSessionIsFilesAndProcessesWithEveryContextField() {
    List<RunscMetadata.Point> session = resolve(Set.of(), List.of(), null);

    assertThat(session).extracting(RunscMetadata.Point::name).containsExactly("container/start", "sentry/clone",
        "sentry/execve", "sentry/exit_notify_parent", "sentry/task_exit", "syscall/openat/enter", "syscall/openat/exit",
        "syscall/read/enter", "syscall/read/exit", "syscall/write/enter", "syscall/write/exit", "syscall/close/enter",
        "syscall/close/exit", "syscall/chdir/enter", "syscall/chdir/exit", "syscall/execve/enter",
        "syscall/execve/exit", "syscall/clone/enter", "syscall/clone/exit");
    assertThat(session).allSatisfy(point -> {
      assertThat(point.contextFields()).isEqualTo(EVERY_CONTEXT_FIELD);
      assertThat(point.optionalFields()).isEmpty();
    });
    assertThat(TracePreset.FILES_AND_PROCESSES.pointNames(METADATA)).isEqualTo(
        session.stream().map(RunscMetadata.Point::name).toList());
  }

  @Test
  void namedPointsComeWithNoFieldUnlessContextFieldsAreGiven() {
    assertThat(resolve(Set.of(), List.of("syscall/openat/enter", "syscall/openat/exit"), null)).containsExactly(
        new RunscMetadata.Point("syscall/openat/enter", List.of(), List.of()),
        new RunscMetadata.Point("syscall/openat/exit", List.of(), List.of()));
    assertThat(resolve(Set.of(), List.of("syscall/openat/enter"), List.of("time", "process_name"))).containsExactly(
        new RunscMetadata.Point("syscall/openat/enter", List.of(), List.of("time", "process_name")));
  }

  @Test
  void allIsEveryPointWithEveryOptionalAndContextField() {
    List<RunscMetadata.Point> session = resolve(Set.of(TracePreset.ALL), List.of(), null);

    assertThat(session).isEqualTo(METADATA.points());
    assertThat(session.get(0)).isEqualTo(new RunscMetadata.Point("container/start", List.of("env"), EVERY_CONTEXT_FIELD));
  }

  @Test
  void contextFieldsReplaceAPresetsAndAnEmptyListMeansNone() {
    assertThat(resolve(Set.of(TracePreset.ALL), List.of(), List.of())).allSatisfy(point ->
        assertThat(point.contextFields()).isEmpty());
    assertThat(resolve(Set.of(TracePreset.ALL), List.of(), List.of("cwd"))).allSatisfy(point ->
        assertThat(point.contextFields()).containsExactly("cwd"));
  }

  @Test
  void aPointInAPresetAndNamedComesOnceWithThePresetsFields() {
    Set<TracePreset> presets = new LinkedHashSet<>(List.of(TracePreset.FILES_AND_PROCESSES));

    List<RunscMetadata.Point> session = resolve(presets, List.of("syscall/sysno/0/enter", "container/start"), null);

    assertThat(session).hasSize(20);
    assertThat(session.get(0).contextFields()).isEqualTo(EVERY_CONTEXT_FIELD);
    assertThat(session.get(19)).isEqualTo(new RunscMetadata.Point("syscall/sysno/0/enter", List.of(), List.of()));
  }

  @Test
  void anUnknownPointIsNamedWithTheNearestKnownOnes() {
    assertThatThrownBy(() -> resolve(Set.of(), List.of("syscall/openat/enter", "syscall/opnat/exit"), null))
        .isInstanceOfSatisfying(UnknownTraceNameException.class, e -> {
          assertThat(e.name()).isEqualTo("syscall/opnat/exit");
          assertThat(e.nearest()).containsExactly("syscall/openat/exit", "syscall/read/exit", "syscall/chdir/exit");
        })
        .hasMessage("unknown trace point \"syscall/opnat/exit\": runsc offers no such trace point. The nearest of the 21"
            + " it offers: syscall/openat/exit, syscall/read/exit, syscall/chdir/exit (runsc trace metadata lists"
            + " them all)");
  }

  @Test
  void anUnknownContextFieldIsNamedWithTheNearestKnownOnes() {
    assertThatThrownBy(() -> resolve(Set.of(), List.of("container/start"), List.of("time", "proces_name")))
        .isInstanceOf(UnknownTraceNameException.class)
        .hasMessage("unknown context field \"proces_name\": runsc offers no such context field. The nearest of the 9"
            + " it offers: process_name, group_id, credentials (runsc trace metadata lists them all)");
  }

  @Test
  void aContextFieldAChosenPointDoesNotOfferIsRefused() {
    RunscMetadata metadata = RunscMetadata.parse("POINTS (2)\n"
        + "Name: container/start, optional fields: [env], context fields: [time|cwd]\n"
        + "Name: sentry/clone, optional fields: [], context fields: [time]\n");

    assertThatThrownBy(() -> TraceSession.resolve(Set.of(), List.of("container/start", "sentry/clone"), List.of("cwd"),
        metadata))
        .isInstanceOf(UnknownTraceNameException.class)
        .hasMessage("the trace point sentry/clone does not offer the context field \"cwd\"; it offers: time");
  }

  @Test
  void aBlankNameIsRefused() {
    assertThatThrownBy(() -> resolve(Set.of(), List.of(" "), null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a trace point name must not be blank, was \" \"");
  }

  @Test
  void presetsAreNamedAsTheCommandLineNamesThem() {
    assertThat(TracePreset.named("files-and-processes")).isEqualTo(TracePreset.FILES_AND_PROCESSES);
    assertThat(TracePreset.named("ALL")).isEqualTo(TracePreset.ALL);
    assertThatThrownBy(() -> TracePreset.named("common")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown trace preset \"common\"; the presets are: files-and-processes, all");
  }

  @Test
  void editDistanceCountsInsertionsDeletionsAndReplacements() {
    assertThat(TraceSession.editDistance("openat", "openat")).isZero();
    assertThat(TraceSession.editDistance("opnat", "openat")).isEqualTo(1);
    assertThat(TraceSession.editDistance("read", "write")).isEqualTo(4);
    assertThat(TraceSession.editDistance("", "cwd")).isEqualTo(3);
  }

  private static List<RunscMetadata.Point> resolve(Set<TracePreset> presets, List<String> points, List<String> fields) {
    return TraceSession.resolve(presets, points, fields, METADATA);
  }
}
