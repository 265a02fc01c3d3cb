package dev.tracereplay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.TraceRecorder;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every setting is checked where it is set, with its limits in the message. */
class ServerConfigTest {
  @TempDir Path dir;

  @Test
  void theDefaults() {
    ServerConfig config = ServerConfig.defaults();
    assertThat(config.maxMessageSize()).isEqualTo(1 << 20);
    assertThat(config.maxHandshakeSize()).isEqualTo(10_239);
    assertThat(config.maxClients()).isEqualTo(256);
    assertThat(config.maxPendingHandshakes()).isEqualTo(128);
    assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.closeGracePeriod()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.handshakeVersion()).isEqualTo(1);
  }

  @Test
  void eachSettingIsCheckedWhereItIsSetNamingItsLimits() {
    ServerConfig config = ServerConfig.defaults();
    assertThatThrownBy(() -> config.withMaxMessageSize(0)).hasMessage("maxMessageSize must be 1 to 67108864 bytes, was 0");
    assertThatThrownBy(() -> config.withMaxClients(0)).hasMessage("maxClients must be 1 to 65536 clients, was 0");
    assertThatThrownBy(() -> config.withMaxPendingHandshakes(70_000)).hasMessageContaining("maxPendingHandshakes must be 1 to 65536");
    assertThatThrownBy(() -> config.withHandshakeTimeout(Duration.ZERO)).hasMessageContaining("handshakeTimeout must be over 0 to 60 minutes");
    assertThatThrownBy(() -> config.withCloseGracePeriod(Duration.ofSeconds(-1))).hasMessageContaining("closeGracePeriod");
    assertThatThrownBy(() -> config.withHandshakeVersion(0)).hasMessageContaining("handshakeVersion must be at least 1");
    assertThatThrownBy(() -> config.withName("")).hasMessageContaining("name must be 1 to 64");
    assertThat(config.withMaxClients(3).maxClients()).isEqualTo(3);
    assertThat(config.maxClients()).as("immutable").isEqualTo(256);
  }

  @Test
  void bothBuildersCheckAtTheSetterNotAtEachClient() {
    assertThatThrownBy(() -> TraceRecorder.builder(dir.resolve("s"), dir.resolve("out")).bufferSize(10))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bufferSize must be 64 to 67108864 bytes, was 10");
    assertThatThrownBy(() -> TraceRecorder.builder(dir.resolve("s"), dir.resolve("out")).maxClients(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxClients must be 1 to 65536");
    assertThatThrownBy(() -> TraceRecorder.builder(dir.resolve("s"), dir.resolve("out")).prefix("a/b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain file name part");
    assertThatThrownBy(() -> SinkServer.builder().maxHandshakeSize(10_240))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxHandshakeSize must be 1 to 10239 bytes, was 10240");
  }

  @Test
  void aRecorderRunsWithTheConfigItWasGivenAndKeepsItsEndpointAPath() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    try (TraceRecorder recorder = TraceRecorder.builder(endpoint, dir.resolve("out")).maxClients(7)
        .handshakeTimeout(Duration.ofSeconds(2)).handshakeVersion(2).start()) {
      assertThat(recorder.config().maxClients()).isEqualTo(7);
      assertThat(recorder.config().handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(recorder.config().handshakeVersion()).isEqualTo(2);
      assertThat(recorder.config().name()).isEqualTo("recorder");
      assertThat(recorder.endpoint()).contains(endpoint);
      assertThat(recorder.address()).isEqualTo(endpoint.toString());
    }
  }
}
