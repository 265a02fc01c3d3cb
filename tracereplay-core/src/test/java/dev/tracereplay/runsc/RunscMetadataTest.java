package dev.tracereplay.runsc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunscMetadataTest {
  private static final List<String> CONTEXT_FIELDS = List.of("time", "thread_id", "task_start_time", "group_id",
      "thread_group_start_time", "container_id", "credentials", "cwd", "process_name");

  @Test
  void readsThePointsAndTheirFieldsFromRunscsOwnOutputAndNotTheSinks() {
    RunscMetadata metadata = MetadataExcerpt.parsed();

    assertThat(metadata.points()).hasSize(21);
    assertThat(metadata.pointNames()).startsWith("container/start", "sentry/clone").contains("syscall/openat/enter")
        .doesNotContain("remote", "null");
    assertThat(metadata.point("container/start")).hasValue(
        new RunscMetadata.Point("container/start", List.of("env"), CONTEXT_FIELDS));
    assertThat(metadata.point("syscall/sysno/0/exit").orElseThrow().optionalFields()).isEmpty();
    assertThat(metadata.contextFields()).isEqualTo(CONTEXT_FIELDS);
    assertThat(metadata.point("syscall/bogus/enter")).isEmpty();
  }

  @Test
  void textWithoutPointsIsRefusedQuotingItsStart() {
    assertThatThrownBy(() -> RunscMetadata.parse("flag provided but not defined: -trace\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("runsc trace metadata listed no trace points; it printed: 'flag provided but not defined: -trace'");
  }

  @Test
  void fewerPointsThanAnnouncedAreRefused() {
    String text = "POINTS (2)\nName: container/start, optional fields: [env], context fields: [time]\n";

    assertThatThrownBy(() -> RunscMetadata.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("runsc trace metadata announced 2 trace points but listed 1");
  }

  @Test
  void aPointLineInAnotherFormatIsRefused() {
    String text = "POINTS (1)\nName: container/start, fields: env\n";

    assertThatThrownBy(() -> RunscMetadata.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("runsc trace metadata: cannot read the line 'Name: container/start, fields: env'");
  }
}
