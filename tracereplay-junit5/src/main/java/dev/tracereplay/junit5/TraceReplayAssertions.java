package dev.tracereplay.junit5;

/**
 * The entry point of the AssertJ assertions on replays, traces and what a sink received, beside
 * the extension: import its methods statically next to AssertJ's own (the overloads do not clash).
 *
 * <pre>{@code
 * import static dev.tracereplay.junit5.TraceReplayAssertions.assertThat;
 * import static dev.tracereplay.junit5.TraceReplayAssertions.assertThatTrace;
 *
 * assertThat(replayer.replayTo(endpoint)).deliveredAll();
 * assertThat(replayer).hasMessageCount(444).containsType(MessageType.SYSCALL_OPEN);
 * }</pre>
 *
 * <p>Every method is inherited from {@link dev.tracereplay.junit5.assertions.TraceReplayAssertions},
 * which documents them, in the package of the assert classes.
 */
public final class TraceReplayAssertions extends dev.tracereplay.junit5.assertions.TraceReplayAssertions {
  private TraceReplayAssertions() {}
}
