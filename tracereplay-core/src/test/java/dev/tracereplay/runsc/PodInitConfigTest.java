package dev.tracereplay.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pod-init config runsc reads: gVisor's layout, and every name and path escaped as data. */
class PodInitConfigTest {

  @Test
  void holdsOneTraceSessionWithThePointsAndARemoteSinkAtTheEndpoint() {
    String json = PodInitConfig.json(List.of(
        new RunscMetadata.Point("container/start", List.of("env"), List.of("time", "cwd")),
        new RunscMetadata.Point("syscall/openat/enter", List.of(), List.of())), Path.of("/tmp/x/sink.sock"));

    assertThat(json).isEqualTo("""
        {
          "trace_session": {
            "name": "Default",
            "points": [
              {"name": "container/start", "optional_fields": ["env"], "context_fields": ["time", "cwd"]},
              {"name": "syscall/openat/enter"}
            ],
            "sinks": [{"name": "remote", "config": {"endpoint": "/tmp/x/sink.sock"}}]
          }
        }
        """);
  }

  @Test
  void quotesBackslashesControlAndNonAsciiCharactersAreEscaped() {
    String json = PodInitConfig.json(List.of(new RunscMetadata.Point("a\"b\\c", List.of(), List.of("t\tx"))),
        Path.of("/tmp/it's \"q\"/é\n/sink.sock"));

    assertThat(json).contains("{\"name\": \"a\\u0022b\\u005cc\", \"context_fields\": [\"t\\u0009x\"]}")
        .contains("{\"endpoint\": \"/tmp/it's \\u0022q\\u0022/\\u00e9\\u000a/sink.sock\"}");
    assertThat(json.chars()).allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f));
  }
}
