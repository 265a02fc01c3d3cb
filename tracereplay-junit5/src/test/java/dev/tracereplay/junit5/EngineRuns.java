package dev.tracereplay.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** Runs test classes through the Jupiter engine, as a user's build would, and reads the outcome. */
final class EngineRuns {
  private EngineRuns() {}

  /** The test events of running {@code testClass}. */
  static Events run(Class<?> testClass) {
    return run(testClass, Map.of());
  }

  /** The test events of running {@code testClass} with these configuration parameters. */
  static Events run(Class<?> testClass, Map<String, String> configuration) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(testClass))
        .configurationParameters(configuration)
        .configurationParameter(EngineTestKitOnly.PARAMETER, "true")
        .execute()
        .testEvents();
  }

  /** Asserts that {@code count} tests ran and all passed; a failure lists the tests' exceptions. */
  static void assertAllPassed(Events tests, long count) {
    assertThat(tests.failed().stream().map(EngineRuns::throwable).toList()).as("failures").isEmpty();
    assertThat(tests.succeeded().count()).as("tests passed").isEqualTo(count);
  }

  /** The exception of the one test that failed. */
  static Throwable onlyFailure(Events tests) {
    assertThat(tests.started().count()).as("tests started").isEqualTo(1);
    List<Throwable> failures = tests.failed().stream().map(EngineRuns::throwable).toList();
    assertThat(failures).as("failures").hasSize(1);
    return failures.get(0);
  }

  /** The values the tests published under {@code key} with a {@code TestReporter}, in order. */
  static List<String> published(Events tests, String key) {
    return tests.reportingEntryPublished().stream()
        .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs().get(key))
        .filter(value -> value != null)
        .toList();
  }

  private static Throwable throwable(Event event) {
    return event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }
}
